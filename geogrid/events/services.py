"""Writes of tickets: intake (idempotent), routing to grid and department, workflow steps, bulk re-routing.

Every step is one transaction that locks the ticket row (`select_for_update`), checks the workflow table,
changes the ticket and appends its `EventTransition`: two people acting on one ticket at once are served
one after the other, and the second is refused with the reason if the first changed what it may do.
"""
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from tqdm import tqdm

from geogrid.areas.models import Area
from geogrid.core.crs import ParsedPoint
from geogrid.departments.models import Department
from geogrid.events.defaults import CATEGORY_TREE, RESPONSIBILITIES, UNITS
from geogrid.events.models import Event, EventCategory, EventPhoto, EventTransition, Responsibility
from geogrid.events.selectors import responsibility_for, roles_of
from geogrid.events.workflow import CENTRE, OPEN, TransitionError, check
from geogrid.locate.selectors import grid_refs_at
from geogrid.workdays.selectors import add_working_days, add_working_hours

S = Event.Status

# The first bytes of the photo types a phone sends; anything else is refused (no SVG, no HTML, no executables).
PHOTO_SIGNATURES = ((b"\xff\xd8\xff", "JPEG"), (b"\x89PNG\r\n\x1a\n", "PNG"), (b"RIFF", "WebP"))


class ReportError(ValueError):
    """A report that cannot be filed as sent; the message (Chinese / English) says why."""


def check_photos(photos: Sequence[UploadedFile]) -> None:
    """Refuse too many photos, too large ones, and files that are not JPEG, PNG or WebP by their content."""
    if len(photos) > settings.GEOGRID_REPORT_PHOTOS_MAX:
        raise ReportError(f"最多上传 {settings.GEOGRID_REPORT_PHOTOS_MAX} 张照片 / too many photos")
    for photo in photos:
        if photo.size > settings.GEOGRID_REPORT_PHOTO_MAX_BYTES:
            raise ReportError(f"照片 {photo.name} 超过 {settings.GEOGRID_REPORT_PHOTO_MAX_BYTES // 1048576} MB / photo too large")
        head = photo.read(12)
        photo.seek(0)
        kind = next((k for sig, k in PHOTO_SIGNATURES if head.startswith(sig)), None)
        if kind is None or (kind == "WebP" and head[8:12] != b"WEBP"):
            raise ReportError(f"照片 {photo.name} 不是 JPEG、PNG 或 WebP 图片 / not a JPEG, PNG or WebP image")


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


def report(new: NewReport, user: User | None = None, at: datetime | None = None) -> tuple[Event, bool]:
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
        transition(event.pk, "settle", user, new.settled_note, at=at)
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
        event.routing_note = "地址未能定位，待人工在地图上标注 / not located yet"
    elif event.grid_id is None:
        event.routing_note = "不在任何网格内，转街道中心处理 / outside every grid: the street centre's queue"
    elif row is None:
        event.routing_note = "归口办理表中没有此分类，由中心指定 / no unit for this category: the centre decides"
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


def transition(event_id: int, action_name: str, user: User | None, note: str = "", at: datetime | None = None,
               **data) -> Event:
    """Take one workflow step on a ticket, atomically and audited; TransitionError (with the reason) when the
    action is not allowed now, for this user, or without what it needs."""
    at = at or timezone.now()
    with transaction.atomic():
        event = Event.objects.select_for_update(of=("self",)).select_related("category", "community", "street").get(pk=event_id)
        action = check(event, action_name, roles_of(user, event) if user else set(), note)
        before = event.status
        extra = EFFECTS.get(action_name, _no_effect)(event, at, data) or {}
        if action.target is not None:
            event.status = action.target
        event.save()
        _record(event, action_name, before, user, at, note, **extra)
    return event


def _no_effect(event: Event, at: datetime, data: dict) -> None:
    return None


def _accept(event: Event, at: datetime, data: dict) -> None:
    event.level = max(event.level, 2)  # the street centre has it now


def _end(event: Event, at: datetime, closure: str = "") -> None:
    event.due_at, event.due_estimated = None, False
    if closure:
        event.closed_at, event.closure = at, closure


def _return(event: Event, at: datetime, data: dict) -> None:
    _end(event, at)


def _merge(event: Event, at: datetime, data: dict) -> dict:
    target = Event.objects.filter(pk=data.get("into")).first()
    if target is None or target.pk == event.pk or not target.is_open:
        raise TransitionError("请选择一个仍在办理中的其他工单作为合并目标 / merge into another open ticket")
    event.merged_into = target
    _end(event, at)
    return {"into": target.pk}


def _recategorise(event: Event, at: datetime, data: dict) -> dict:
    category = EventCategory.objects.filter(code=data.get("category"), active=True).first()
    if category is None:
        raise TransitionError("请选择有效的事件分类 / pick a valid category")
    old = (event.category.code, event.department.code if event.department else None)
    event.category = category
    _route_department(event)
    return {"category": [old[0], category.code], "department": [old[1], event.department.code if event.department else None]}


def _dispatch(event: Event, at: datetime, data: dict) -> dict:
    if data.get("department"):
        department = Department.objects.filter(code=data["department"]).first()
        if department is None:
            raise TransitionError("没有此责任单位 / no such department")
        event.department = department
    if event.department is None:
        raise TransitionError("请指定责任单位 / pick the department to dispatch to")
    _set_due(event, "handle", at)
    return {"department": event.department.code, "due_at": event.due_at.isoformat()}


def _send_back(event: Event, at: datetime, data: dict) -> dict:
    returned_by = event.department.code if event.department else None
    _set_due(event, "accept", at)  # the centre has to find the right unit now
    return {"department": returned_by}


def _request_extension(event: Event, at: datetime, data: dict) -> dict:
    try:
        days = int(data.get("days", 0))
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= 30:
        raise TransitionError("延期天数须为 1-30 个工作日 / ask for 1-30 working days")
    return {"days": days}


def _grant_extension(event: Event, at: datetime, data: dict) -> dict:
    asked = event.transitions.filter(action__in=("request_extension", "grant_extension")).order_by("-at", "-pk").first()
    if asked is None or asked.action != "request_extension":
        raise TransitionError("没有待批准的延期申请 / no extension request waiting")
    deadline = add_working_days(max(event.due_at or at, at), asked.data["days"])
    event.due_at, event.due_estimated = deadline.at, deadline.estimated
    return {"days": asked.data["days"], "due_at": deadline.at.isoformat()}


def _feed_back(event: Event, at: datetime, data: dict) -> None:
    _set_due(event, "verify", at)


def _close(event: Event, at: datetime, data: dict) -> dict:
    _end(event, at, Event.Closure.RESOLVED)
    if "satisfied" in data:
        event.satisfied = bool(data["satisfied"])
    return {"satisfied": event.satisfied}


def _redispatch(event: Event, at: datetime, data: dict) -> None:
    _set_due(event, "handle", at)


def _settle(event: Event, at: datetime, data: dict) -> None:
    event.level = 1
    _end(event, at, Event.Closure.ON_SPOT)


def _coordinate(event: Event, at: datetime, data: dict) -> None:
    if not event.category.closes_on_coordination:
        raise TransitionError("此类事件须实际办结，不能以进入协调处置办结 / this category closes only when resolved")
    _end(event, at, Event.Closure.COORDINATION)


def _escalate(event: Event, at: datetime, data: dict) -> dict:
    if event.level >= 3:
        raise TransitionError("已在县（区）级中心，不能再上报 / already at the district centre")
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
                cursor.execute(REROUTE_SQL, {"ids": batch, "note": "网格调整后按新边界重新定位 / re-routed after a boundary change"})
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


# ---- defaults ---------------------------------------------------------------------------------------------------

def install_defaults(street: Area) -> dict[str, int]:
    """The default category tree (missing codes only: edited categories stay as they are), the street's units
    named in the 归口办理 table (missing ones created), and the default responsibilities (missing ones only).
    Idempotent. Returns what it created."""
    created = {"categories": 0, "departments": 0, "responsibilities": 0}
    with transaction.atomic():
        categories: dict[str, EventCategory] = {}
        for top, children in CATEGORY_TREE:
            for spec, parent in ((top, None), *((child, top) for child in children)):
                accept, handle, verify = spec.limits
                categories[spec.code], new = EventCategory.objects.get_or_create(code=spec.code, defaults={
                    "name": spec.name, "parent": categories.get(parent.code) if parent else None,
                    "closes_on_coordination": spec.closes_on_coordination,
                    "accept_limit": accept, "handle_limit": handle, "verify_limit": verify})
                created["categories"] += new
        for code, (suffix, note) in RESPONSIBILITIES.items():
            unit = UNITS[suffix]
            department, new = Department.objects.get_or_create(
                code=f"{street.code[:9]}-{suffix}",
                defaults={"name": unit.name, "tier": Department.Tier.TOWN, "area": street})
            created["departments"] += new
            _, new = Responsibility.objects.get_or_create(category=categories[code], area=None,
                                                          defaults={"department": department, "note": note})
            created["responsibilities"] += new
    return created


# ---- tickets waiting for a location (hotline addresses not matched) --------------------------------------------

# A ticket is placed while the centre still reviews or holds it; once dispatched, the unit works from its place.
PLACEABLE = frozenset({S.REPORTED, S.ACCEPTED})


def hold_for_placement(event: Event, street: Area) -> None:
    """Put a ticket without a location into this street centre's queue: with the street set (and no community),
    the street's centre sees it and may place it (`events_visible_to`, `roles_of`), and its department follows
    the street's own 归口办理 overrides until the point is known."""
    event.street = street
    _route_department(event)
    event.save(update_fields=["street", "department", "routing_note", "updated_at"])


def place(event_id: int, point: ParsedPoint, user: User, note: str = "", at: datetime | None = None) -> Event:
    """Set the location of a ticket (a hotline ticket whose address matched no building) from a point a person
    picked on the map, keeping the coordinates as sent with their system, and route it again (grid, community,
    street, department). Not a status change: the ticket stays in its state and a 'place' step records who put
    it where. The street centre only, while the ticket is reported or accepted; TransitionError otherwise."""
    at = at or timezone.now()
    with transaction.atomic():
        event = Event.objects.select_for_update(of=("self",)).select_related("category", "community", "street").get(pk=event_id)
        if event.merged_into_id is not None:
            raise TransitionError(f"工单已合并至 #{event.merged_into_id} / the ticket was merged into another")
        if event.status not in PLACEABLE:
            raise TransitionError(f"“{event.get_status_display()}”状态的工单不能再定位 / "
                                  f"cannot place a ticket that is {event.status}")
        if CENTRE not in roles_of(user, event):
            raise TransitionError("您无权为此工单定位 / you may not place this ticket")
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
