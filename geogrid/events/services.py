"""Writes of tickets: intake (idempotent), routing to grid and department, workflow steps, bulk re-routing.

Every step is one transaction that locks the ticket row (`select_for_update`), checks the workflow table,
changes the ticket and appends its `EventTransition`: two people acting on one ticket at once are served
one after the other, and the second is refused with the reason if the first changed what it may do.
"""
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from PIL import Image
from tqdm import tqdm

from geogrid.areas.models import Area
from geogrid.core.api import DomainError
from geogrid.core.crs import ParsedPoint
from geogrid.events.models import Event, EventCategory, EventPhoto, EventTransition
from geogrid.events.selectors import events_visible_to, responsibility_for, roles_of, units_serving
from geogrid.events.workflow import CENTRE, OPEN, PLACEABLE, TransitionError, check
from geogrid.locate.selectors import grid_refs_at
from geogrid.workdays.selectors import add_working_days, add_working_hours

S = Event.Status

# The first bytes of the photo types a phone sends: what a stored photo is served as (it was decoded at upload).
PHOTO_SIGNATURES = ((b"\xff\xd8\xff", "JPEG"), (b"\x89PNG\r\n\x1a\n", "PNG"), (b"RIFF", "WebP"))
# The formats an upload may have, as Pillow's plugins are named (JPEG also opens the multi-picture JPEGs, MPO,
# some phones write).
PHOTO_FORMATS = ("JPEG", "PNG", "WEBP")


class ReportError(DomainError):
    """A report that cannot be filed as sent: the message says why, the code which rule it broke."""

    code = "invalid_report"


def check_photos(photos: Sequence[UploadedFile]) -> None:
    """Refuse too many photos, too large ones, files that Pillow does not decode in full as JPEG, PNG or WebP
    (no SVG, no HTML behind a JPEG's first bytes, no truncated file), and more pixels than
    `PIL.Image.MAX_IMAGE_PIXELS` (a decompression bomb: a small file that decodes to gigabytes)."""
    if len(photos) > settings.GEOGRID_REPORT_PHOTOS_MAX:
        raise ReportError(f"最多上传 {settings.GEOGRID_REPORT_PHOTOS_MAX} 张照片", code="too_many_photos", field="media")
    for photo in photos:
        if photo.size > settings.GEOGRID_REPORT_PHOTO_MAX_BYTES:
            raise ReportError(f"照片 {photo.name} 超过 {settings.GEOGRID_REPORT_PHOTO_MAX_BYTES // 1048576} MB",
                              code="photo_too_large", field="media")
        try:
            _decode_photo(photo)
        finally:
            photo.seek(0)


def _decode_photo(photo: UploadedFile) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)  # above MAX_IMAGE_PIXELS: refused
            with Image.open(photo, formats=PHOTO_FORMATS) as image:
                image.verify()  # the file's structure and checksums
            photo.seek(0)
            with Image.open(photo, formats=PHOTO_FORMATS) as image:  # verify() leaves the image unusable
                image.load()  # every pixel: verify() does not read a JPEG's data, a cut-off file fails here
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ReportError(f"照片 {photo.name} 像素过多（上限 {Image.MAX_IMAGE_PIXELS} 像素）",
                          code="photo_too_many_pixels", field="media") from error
    except Exception as error:  # noqa: BLE001 -- Pillow raises OSError, SyntaxError, ValueError... on bad files
        raise ReportError(f"照片 {photo.name} 不是 JPEG、PNG 或 WebP 图片", code="not_an_image",
                          field="media") from error


@dataclass
class NewReport:
    """What a reporter sends: a phone app, the Open311 endpoint, the report page or a hotline batch."""

    category: EventCategory
    description: str
    point: ParsedPoint | None = None
    address: str = ""
    source: str = Event.Source.GRID_WORKER
    client_id: str | None = None
    reporter_name: str = ""
    reporter_phone: str = ""
    photos: Sequence[UploadedFile] = field(default_factory=list)
    settled_note: str = ""  # a grid worker settled it on the spot (level 1): recorded, closed at once


def report(*, new: NewReport, user: User | None = None, at: datetime | None = None) -> tuple[Event, bool]:
    """File a ticket and route it; returns (ticket, created). A client id seen before returns the ticket made
    the first time (a phone retrying after a lost answer never makes two), even under concurrent retries."""
    if new.client_id:
        existing = Event.objects.filter(client_id=new.client_id).first()
        if existing is not None:
            return existing, False
    try:
        with transaction.atomic():
            event = _create(new, user, at or timezone.now())
    except IntegrityError:
        existing = Event.objects.filter(client_id=new.client_id).first() if new.client_id else None
        if existing is None:
            raise
        return existing, False
    return event, True


def _create(new: NewReport, user: User | None, at: datetime) -> Event:
    event = Event(category=new.category, description=new.description, address=new.address, source=new.source,
                  client_id=new.client_id or None, reported_at=at, reporter_name=new.reporter_name,
                  reporter_phone=new.reporter_phone, reported_by=user if user and user.is_authenticated else None)
    if new.point is not None:
        event.location = new.point.point
        event.raw_x, event.raw_y = new.point.raw
        event.raw_crs = new.point.crs.name
    route(event)
    _set_due(event, "accept", at)
    event.save()
    _record(event, "report", "", user, at, "")
    for photo in new.photos:
        EventPhoto.objects.create(event=event, image=photo)
    if new.settled_note:
        transition(event_id=event.pk, action="settle", user=user, note=new.settled_note, at=at)
        event.refresh_from_db()
    return event


def route(event: Event) -> None:
    """Set the ticket's routing snapshot: the finest grid at its location and that grid's chain, community,
    street, and the responsible department (归口办理). Outside every grid it goes to the centre of the street
    it is in (or, without a location, waits for a person to place it)."""
    event.grid, event.grid_ids, event.community, event.street = None, [], None, None
    if event.location is not None:
        chain, _ = grid_refs_at(event.location)
        if chain:
            event.grid_id, event.grid_ids = chain[0].id, [g.id for g in chain]
            event.community_id = chain[0].community.id
            event.street_id = chain[0].street.id if chain[0].street else None
        else:
            event.community = Area.objects.communities().filter(geom__covers=event.location).first()
            event.street = Area.objects.streets().filter(geom__covers=event.location).first()
    _route_department(event)


def _route_department(event: Event) -> None:
    row = responsibility_for(event.category, event.community or event.street)
    event.department = row.department if row else None
    if event.location is None:
        event.routing_note = "地址未能定位，待人工在地图上标注"
    elif event.grid_id is None:
        event.routing_note = "不在任何网格内，转街道中心处理"
    elif row is None:
        event.routing_note = "归口办理表中没有此分类，由中心指定"
    else:
        event.routing_note = f"归口办理：{row.category.name} → {row.department.name}" + (f"（{row.note}）" if row.note else "")


def _set_due(event: Event, stage: str, start: datetime) -> None:
    """The current stage's deadline from the category's limit, in working days or working hours."""
    limit = {"accept": event.category.accept_limit, "handle": event.category.handle_limit,
             "verify": event.category.verify_limit}[stage]
    if event.category.limit_unit == EventCategory.LimitUnit.HOURS:
        deadline = add_working_hours(start, limit)
    else:
        deadline = add_working_days(start, limit)
    event.due_at, event.due_estimated = deadline.at, deadline.estimated


def _record(event: Event, action: str, from_status: str, user: User | None, at: datetime, note: str,
            **data) -> EventTransition:
    return EventTransition.objects.create(event=event, action=action, from_status=from_status, to_status=event.status,
                                          actor=user if user and user.is_authenticated else None, at=at, note=note,
                                          data=data)


@dataclass(frozen=True)
class StepParams:
    """What a workflow step may carry besides its note: the union of every action's parameters
    (`workflow.Action.params` says which action reads which). None: not given."""

    department: str | None = None  # dispatch: the unit's code (else the routed one)
    category: str | None = None  # recategorise: the new category's code
    into: int | None = None  # merge: the ticket this one duplicates
    days: int | None = None  # request_extension: working days asked for (1-30)
    satisfied: bool | None = None  # close: the reporter's verdict at the follow-up call, if asked


@dataclass(frozen=True)
class Step:
    """One step as the effects see it: who takes it, when, and with what."""

    user: User | None
    at: datetime
    params: StepParams


def transition(*, event_id: int, action: str, user: User | None, note: str = "",
               params: StepParams = StepParams(), at: datetime | None = None) -> Event:
    """Take one workflow step on a ticket, atomically and audited; TransitionError (with the reason and its
    code) when the action is not allowed now, for this user, or without what it needs. `at` is for imports
    and tests replaying history; the API never sets it."""
    at = at or timezone.now()
    with transaction.atomic():
        event = Event.objects.select_for_update(of=("self",)).select_related("category", "community", "street").get(pk=event_id)
        checked = check(event, action, roles_of(user, event) if user else set(), note)
        before = event.status
        extra = EFFECTS.get(action, _no_effect)(event, Step(user, at, params)) or {}
        if checked.target is not None:
            event.status = checked.target
        event.save()
        _record(event, action, before, user, at, note, **extra)
    return event


def _no_effect(event: Event, step: Step) -> None:
    return None


def _accept(event: Event, step: Step) -> None:
    event.level = max(event.level, 2)  # the street centre has it now


def _end(event: Event, at: datetime, closure: str = "") -> None:
    event.due_at, event.due_estimated = None, False
    if closure:
        event.closed_at, event.closure = at, closure


def _return(event: Event, step: Step) -> None:
    _end(event, step.at)


def _merge(event: Event, step: Step) -> dict:
    """Into another open ticket the user may see, of the same street: not even a superuser merges two
    streets' tickets (each street's centre answers for its own)."""
    visible = events_visible_to(step.user) if step.user else Event.objects.none()
    target = visible.filter(pk=step.params.into).first() if step.params.into else None
    if target is None:
        raise TransitionError("没有此工单", code="no_such_ticket", field="into", status=404)
    if target.pk == event.pk or not target.is_open:
        raise TransitionError("请选择一个仍在办理中的其他工单作为合并目标", code="merge_target_closed", field="into")
    if target.street_id != event.street_id:
        raise TransitionError("不能合并其他街道的工单", code="merge_other_street", field="into")
    event.merged_into = target
    _end(event, step.at)
    return {"into": target.pk}


def _recategorise(event: Event, step: Step) -> dict:
    category = EventCategory.objects.filter(code=step.params.category or "", active=True).first()
    if category is None:
        raise TransitionError("请选择有效的事件分类", code="unknown_category", field="category")
    old = (event.category.code, event.department.code if event.department else None)
    event.category = category
    _route_department(event)
    return {"category": [old[0], category.code], "department": [old[1], event.department.code if event.department else None]}


def _dispatch(event: Event, step: Step) -> dict:
    """To the named unit (or the routed one): a unit serving the ticket's street, never another street's."""
    serving = units_serving(event.street)
    if step.params.department:
        department = serving.filter(code=step.params.department).first()
        if department is None:
            raise TransitionError("该单位不负责此工单所在街道", code="unit_not_serving", field="department")
        event.department = department
    if event.department is None:
        raise TransitionError("请指定责任单位", code="department_required", field="department")
    if not serving.filter(pk=event.department_id).exists():
        raise TransitionError("该单位不负责此工单所在街道", code="unit_not_serving", field="department")
    _set_due(event, "handle", step.at)
    return {"department": event.department.code, "due_at": event.due_at.isoformat()}


def _send_back(event: Event, step: Step) -> dict:
    returned_by = event.department.code if event.department else None
    _set_due(event, "accept", step.at)  # the centre has to find the right unit now
    return {"department": returned_by}


EXTENSION_DAYS = (1, 30)


def _request_extension(event: Event, step: Step) -> dict:
    days = step.params.days
    if days is None or not EXTENSION_DAYS[0] <= days <= EXTENSION_DAYS[1]:
        raise TransitionError("延期天数须为 1-30 个工作日", code="invalid_days", field="days")
    return {"days": days}


def _grant_extension(event: Event, step: Step) -> dict:
    asked = event.transitions.filter(action__in=("request_extension", "grant_extension")).order_by("-at", "-pk").first()
    if asked is None or asked.action != "request_extension":
        raise TransitionError("没有待批准的延期申请", code="no_extension_request")
    deadline = add_working_days(max(event.due_at or step.at, step.at), asked.data["days"])
    event.due_at, event.due_estimated = deadline.at, deadline.estimated
    return {"days": asked.data["days"], "due_at": deadline.at.isoformat()}


def _feed_back(event: Event, step: Step) -> None:
    _set_due(event, "verify", step.at)


def _close(event: Event, step: Step) -> dict:
    _end(event, step.at, Event.Closure.RESOLVED)
    if step.params.satisfied is not None:
        event.satisfied = step.params.satisfied
    return {"satisfied": event.satisfied}


def _redispatch(event: Event, step: Step) -> None:
    _set_due(event, "handle", step.at)


def _settle(event: Event, step: Step) -> None:
    event.level = 1
    _end(event, step.at, Event.Closure.ON_SPOT)


def _coordinate(event: Event, step: Step) -> None:
    if not event.category.closes_on_coordination:
        raise TransitionError("此类事件须实际办结，不能以进入协调处置办结", code="closes_only_when_resolved")
    _end(event, step.at, Event.Closure.COORDINATION)


def _escalate(event: Event, step: Step) -> dict:
    if event.level >= 3:
        raise TransitionError("已在县（区）级中心，不能再上报", code="already_at_district")
    event.level += 1
    return {"level": event.level}


EFFECTS = {
    "accept": _accept, "return": _return, "merge": _merge, "recategorise": _recategorise, "dispatch": _dispatch,
    "send_back": _send_back, "request_extension": _request_extension, "grant_extension": _grant_extension,
    "feed_back": _feed_back, "close": _close, "redispatch": _redispatch, "settle": _settle,
    "coordinate": _coordinate, "escalate": _escalate,
}


# ---- bulk re-routing after boundary changes --------------------------------------------------------------------

REROUTE_SQL = """
WITH hits AS (
    SELECT e.id, e.grid_id AS old_grid, f.grid_id, f.community_id, f.street_id, f.chain
    FROM events_event e
    CROSS JOIN LATERAL (  -- per ticket: its finest grid (the locate service's rule), found through the GiST index
        SELECT g.id AS grid_id, g.community_id, c.parent_id AS street_id,
               array_remove(ARRAY[g.id, g.parent_id, up.parent_id], NULL) AS chain
        FROM grids_gridpart p
        JOIN grids_grid g ON g.id = p.grid_id
        JOIN areas_area c ON c.id = g.community_id
        LEFT JOIN grids_grid up ON up.id = g.parent_id
        WHERE ST_Intersects(p.geom, e.location)
        ORDER BY g.level DESC, g.code
        LIMIT 1
    ) f
    WHERE e.id = ANY(%(ids)s::int[])
), moved AS (
    UPDATE events_event e
    SET grid_id = h.grid_id, grid_ids = h.chain, community_id = h.community_id, street_id = h.street_id
    FROM hits h
    WHERE e.id = h.id AND e.grid_id IS DISTINCT FROM h.grid_id
    RETURNING e.id, e.status, h.old_grid, h.grid_id
)
INSERT INTO events_eventtransition (event_id, action, from_status, to_status, at, note, data)
SELECT id, 'reroute', status, status, now(), %(note)s, jsonb_build_object('grid', jsonb_build_array(old_grid, grid_id))
FROM moved
RETURNING event_id
"""

BATCH = 20_000


def route_events(ids: Iterable[int] | None = None, progress: bool = False) -> int:
    """Re-route open tickets to the grids their locations are in now (after a boundary change), set-based in
    batches: one statement per batch finds the finest grid of every ticket, updates those that moved and
    records a 'reroute' step for each. Tickets not yet dispatched also get their department again. Tickets
    outside every grid keep their snapshot. Returns how many tickets moved."""
    if ids is None:
        ids = Event.objects.filter(status__in=OPEN, location__isnull=False).order_by("pk").values_list("pk", flat=True)
    ids = list(ids)
    moved_ids: list[int] = []
    with tqdm(total=len(ids), disable=not progress, unit="ticket") as bar:
        for start in range(0, len(ids), BATCH):
            batch = ids[start:start + BATCH]
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")  # compiling the plan cost ~0.9 s a batch, more than it saved
                cursor.execute(REROUTE_SQL, {"ids": batch, "note": "网格调整后按新边界重新定位"})
                moved_ids += [row[0] for row in cursor.fetchall()]
            bar.update(len(batch))
    _reroute_departments(moved_ids)
    return len(moved_ids)


WAITING_PAIRS_SQL = """
SELECT DISTINCT category_id, coalesce(community_id, street_id) FROM events_event
WHERE id = ANY(%(ids)s::int[]) AND status IN ('reported', 'accepted')
"""

DEPARTMENTS_SQL = """
UPDATE events_event e SET department_id = v.department
FROM unnest(%(categories)s::int[], %(areas)s::int[], %(departments)s::int[]) AS v(category, area, department)
WHERE e.id = ANY(%(ids)s::int[]) AND e.status IN ('reported', 'accepted')
  AND e.category_id = v.category AND coalesce(e.community_id, e.street_id) IS NOT DISTINCT FROM v.area
"""


def _reroute_departments(ids: list[int]) -> None:
    """Departments of moved tickets nobody is working on yet: one 归口办理 lookup per (category, area) pair
    among them, then one UPDATE joining the answers."""
    with connection.cursor() as cursor:
        cursor.execute(WAITING_PAIRS_SQL, {"ids": ids})
        pairs = cursor.fetchall()
        categories = EventCategory.objects.in_bulk({c for c, _ in pairs})
        areas = Area.objects.in_bulk({a for _, a in pairs if a is not None})
        departments = []
        for category, area in pairs:
            row = responsibility_for(categories[category], areas.get(area))
            departments.append(row.department_id if row else None)
        cursor.execute(DEPARTMENTS_SQL, {"ids": ids, "categories": [c for c, _ in pairs],
                                         "areas": [a for _, a in pairs], "departments": departments})


# ---- tickets waiting for a location (hotline addresses not matched) --------------------------------------------



def hold_for_placement(event: Event, street: Area) -> None:
    """Put a ticket without a location into this street centre's queue: with the street set (and no community),
    the street's centre sees it and may place it (`events_visible_to`, `roles_of`), and its department follows
    the street's own 归口办理 overrides until the point is known."""
    event.street = street
    _route_department(event)
    event.save(update_fields=["street", "department", "routing_note", "updated_at"])


def place(*, event_id: int, point: ParsedPoint, user: User, note: str = "", at: datetime | None = None) -> Event:
    """Set the location of a ticket (a hotline ticket whose address matched no building) from a point a person
    picked on the map, keeping the coordinates as sent with their system, and route it again (grid, community,
    street, department). Not a status change: the ticket stays in its state and a 'place' step records who put
    it where. The street centre only, while the ticket is reported or accepted; TransitionError otherwise."""
    at = at or timezone.now()
    with transaction.atomic():
        event = Event.objects.select_for_update(of=("self",)).select_related("category", "community", "street").get(pk=event_id)
        if event.merged_into_id is not None:
            raise TransitionError(f"工单已合并至 #{event.merged_into_id}", code="ticket_merged")
        if event.status not in PLACEABLE:
            raise TransitionError(f"“{event.get_status_display()}”状态的工单不能再定位", code="action_not_allowed")
        if CENTRE not in roles_of(user, event):
            raise TransitionError("您无权为此工单定位", code="not_your_role", status=403)
        before = [event.location.x, event.location.y] if event.location is not None else None
        event.location = point.point
        event.raw_x, event.raw_y = point.raw
        event.raw_crs = point.crs.name
        route(event)
        event.save()
        _record(event, "place", event.status, user, at, note, point=[point.point.x, point.point.y],
                raw=list(point.raw), crs=point.crs.name, before=before, grid=event.grid.code if event.grid else None,
                department=event.department.code if event.department else None)
    return event
