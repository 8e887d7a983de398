"""Writes of the grid editor: apply an operation to a draft, submit a change request, approve or reject it,
and restore a past version (as a new request).

Submissions and approvals of one community queue on a lock of the community's row, so two editors can never
both pass the conflict check: the second is told what the first changed, and keeps their draft.
"""
from dataclasses import dataclass, field
from typing import Any

import pghistory
import shapely
from shapely.geometry import shape
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry.base import BaseGeometry

from geogrid.adjustments import carryover
from geogrid.adjustments import partition as ops
from geogrid.adjustments.models import ChangeRequest
from geogrid.adjustments.selectors import (GridFeature, as_feature_collection, current_grids, draft_of,
                                           footprints_in, grids_at, statistics)
from geogrid.alignment.services import follow_base_grids
from geogrid.areas.models import Area
from geogrid.buildings.services import place_buildings
from geogrid.core.api import DomainError
from geogrid.core.crs import to_area_crs
from geogrid.core.models import Generation
from geogrid.core.refusals import refusal_of
from geogrid.core.services import create_generation, retire
from geogrid.grids.models import Grid

OPERATIONS = ("split", "merge", "reshape", "draw")


class Conflict(DomainError):
    """The draft was made on grids that changed since, or that a pending request also changes: 409, with the
    conflicting grid codes under `conflicts`."""

    code = "conflict"
    status = 409

    def __init__(self, message: str, codes: list[str]):
        super().__init__(message, conflicts=codes)
        self.codes = codes


class OwnRequest(DomainError):
    """The four-eyes rule (`GEOGRID_FOUR_EYES`): nobody approves their own change request."""

    code = "own_request"
    status = 403


def four_eyes() -> bool:
    """Whether a change request needs someone other than its author to approve it (on unless turned off)."""
    return settings.GEOGRID_FOUR_EYES


@dataclass
class Draft:
    """A draft as the editor sends it: the partition in metres and each grid's properties."""

    partition: dict[str, BaseGeometry]
    properties: dict[str, GridFeature] = field(default_factory=dict)

    @classmethod
    def from_geojson(cls, collection: dict[str, Any]) -> "Draft":
        try:
            features = collection["features"]
            partition = ops.snapped({f["properties"]["code"]: to_area_crs(shape(f["geometry"]))
                                     for f in features})
            properties = {f["properties"]["code"]: {k: v for k, v in f["properties"].items() if k != "stats"}
                          for f in features}
        except (KeyError, TypeError, AttributeError, ValueError, shapely.errors.GEOSException):
            raise ops.EditError(_("The draft is not a valid GeoJSON collection of grids."),
                                code="invalid_draft", field="draft") from None
        return cls(partition, properties)


def live_draft(*, community: Area, draft: Draft) -> dict[str, Any]:
    """The draft with every grid's live statistics and rule violations, as GeoJSON."""
    __, points, counts = footprints_in(community)
    stats = statistics(community, draft.partition, draft.properties, points, counts)
    return as_feature_collection(draft.partition, draft.properties, stats)


def apply_operation(*, community: Area, draft: Draft, operation: dict[str, Any]) -> dict[str, Any]:
    """Run one editor operation (validated: `op` one of OPERATIONS with the keys it needs) on a draft; returns
    the new draft with statistics, what changed and warnings. Raises `partition.EditError` with the reason
    when the operation cannot be done as drawn."""
    kind = operation["op"]
    buildings, points, counts = footprints_in(community)
    try:
        if kind == "split":
            outcome = ops.split(draft.partition, operation["grid"], _metres(operation["line"]), buildings)
        elif kind == "merge":
            outcome = ops.merge(draft.partition, list(operation["grids"]), buildings)
        elif kind == "reshape":
            outcome = ops.reshape(draft.partition, operation["grid"], _metres(operation["region"]), buildings)
        else:
            outcome = ops.draw(draft.partition, _metres(operation["region"]), buildings)
    except shapely.errors.GEOSException:  # GEOS refused the drawn geometry with the draft's (an invalid grid)
        raise ops.EditError("所画的线或面无法用于此操作", code="invalid_geometry", field="operation") from None
    properties = _properties_after(draft, outcome, operation, community)
    stats = statistics(community, outcome.partition, properties, points, counts)
    return {"draft": as_feature_collection(outcome.partition, properties, stats), "changed": outcome.changed,
            "removed": outcome.removed, "warnings": outcome.warnings}


def _metres(geojson: dict[str, Any]) -> BaseGeometry:
    """A drawn line or region in metres; a region that crosses itself (or is otherwise invalid) is refused."""
    try:
        geometry = to_area_crs(shape(geojson))
    except (KeyError, TypeError, AttributeError, ValueError, shapely.errors.GEOSException):
        raise ops.EditError(_("The drawn line or area is not valid GeoJSON."),
                            code="invalid_geometry", field="operation") from None
    if geometry.is_empty or not geometry.is_valid:
        raise ops.EditError("所画的线或面无效（如自相交），请重新绘制", code="invalid_geometry", field="operation")
    return geometry


def _properties_after(draft: Draft, outcome: ops.Outcome, operation: dict[str, Any],
                      community: Area) -> dict[str, GridFeature]:
    """Properties of the grids after an operation; a new grid takes its kind and setting from the grid it
    came from (the split grid, or the one it took most from)."""
    properties = {c: p for c, p in draft.properties.items() if c in outcome.partition}
    for code in outcome.changed:
        if code in properties:
            continue
        source = operation.get("grid") if operation["op"] == "split" else max(
            (c for c in draft.partition if c in outcome.changed or c in outcome.removed),
            key=lambda c: draft.partition[c].intersection(outcome.partition[code]).area, default=None)
        origin = draft.properties.get(source, {})
        properties[code] = {"code": code, "name": operation.get("name") or f"{community.name}{code}网格",
                            "grid_id": None, "level": origin.get("level", 1),
                            "kind": origin.get("kind", Grid.Kind.COMPREHENSIVE),
                            "setting": origin.get("setting", Grid.Setting.URBAN), "from": source}
    return properties


# ---- change requests -------------------------------------------------------------------------------------

def submit(*, user: User, community: Area, draft: Draft, base: dict[str, int], reason: str, level: int = 1,
           restored_from: Generation | None = None) -> ChangeRequest:
    """Propose a draft drawn on the grid rows `base` (code -> grid id, as the editor loaded them). Refused
    (`Conflict`) when those rows are no longer current or a pending request changes the same grids; refused
    (`EditError`) when the draft is not a clean partition of the community or changes nothing."""
    if not reason.strip():
        raise ops.EditError(_("Give the reason for the change."), code="required", field="reason")
    with transaction.atomic():
        Area.objects.select_for_update().get(pk=community.pk)  # one submission or approval at a time
        current, __ = draft_of(community, level)
        if restored_from is None:
            _check_codes(draft, current)
        changed, removed = _compare(draft, current, base)
        if not changed and not removed:
            raise ops.EditError(_("The draft is the same as the current grids: there is no change to submit."),
                                code="no_change")
        _check_still_current(community, level, base, changed + removed)
        _check_no_pending(community, changed + removed)
        ops.check_partition(current, draft.partition)
        return ChangeRequest.objects.create(
            community=community, level=level, reason=reason.strip(), base=base,
            proposal=as_feature_collection(draft.partition, draft.properties), changed=changed, removed=removed,
            created_by=user, restored_from=restored_from)


def submit_layer(*, user: User, community: Area, level: int, proposal: dict[str, Any], changed: list[str],
                 reason: str) -> ChangeRequest:
    """Propose a whole layer of the community's grids, as a file delivers it (`imports.proposals`): `proposal`
    holds every grid of the layer (GeoJSON in CGCS2000, properties code, name, kind, setting, level,
    exclusive_type, parent_code), `changed` the codes that are new or differ from the current grid of the code.
    Every current grid of the level the proposal does not name is removed. Drawn on the whole current layer;
    refused (`Conflict`) when a pending request changes the same grids, (`EditError`) when nothing changes. The
    import's own checks (`imports.checks`: containment, overlaps and gaps) stand for the editor's partition
    check, and the codes are the file's."""
    with transaction.atomic():
        Area.objects.select_for_update().get(pk=community.pk)  # one submission or approval at a time
        base = dict(current_grids(community, level).values_list("code", "pk"))
        named = {f["properties"]["code"] for f in proposal["features"]}
        removed = sorted(set(base) - named)
        if not changed and not removed:
            raise ops.EditError("文件与现行网格相同，没有需要提交的调整", code="no_change")
        _check_no_pending(community, sorted(changed) + removed)
        return ChangeRequest.objects.create(
            community=community, level=level, reason=reason, base=base, proposal=proposal, changed=sorted(changed),
            removed=removed, created_by=user)


def _check_codes(draft: Draft, current: dict[str, BaseGeometry]) -> None:
    """Grid codes are the server's: a draft keeps current codes and names new grids provisionally (新1, ...);
    approval numbers those by the coding rule. (A restore proposes a past version's own codes.)"""
    invented = sorted(c for c in draft.partition if c not in current and not c.startswith(ops.NEW_CODE_PREFIX))
    if invented:
        raise ops.EditError(f"草稿中有不存在的网格编码 {'、'.join(invented)}；新网格的编码在批准时按编码规则分配",
                            code="unknown_grid_code", field="draft")


def _compare(draft: Draft, current: dict[str, BaseGeometry], base: dict[str, int]) -> tuple[list[str], list[str]]:
    """Codes whose geometry (or name) the draft changes or adds, and current codes it removes."""
    removed = sorted(c for c in current if c not in draft.partition)
    changed = sorted(c for c, geom in draft.partition.items()
                     if c not in current or not shapely.equals_exact(geom, current[c], tolerance=ops.PRECISION, normalize=True))
    return changed, removed


def _check_still_current(community: Area, level: int, base: dict[str, int], codes: list[str]) -> None:
    current = dict(current_grids(community, level).values_list("code", "pk"))
    stale = sorted(c for c in codes if current.get(c) != base.get(c))
    if stale:
        raise Conflict(f"网格 {'、'.join(stale)} 在您编辑期间已被他人修改并批准，请重新载入后再调整（您的草稿仍保留）"
                       f" / grids changed since you started editing", stale)


def _check_no_pending(community: Area, codes: list[str]) -> None:
    for other in ChangeRequest.objects.filter(community=community, status=ChangeRequest.Status.PENDING):
        overlap = sorted(other.touches() & set(codes))
        if overlap:
            raise Conflict(_("Grids {codes} are already in change request #{request}, submitted by {user} at {time} "
                             "and not yet decided: submit after it is decided (your draft is kept).").format(
                codes="、".join(overlap), request=other.pk, user=other.created_by.get_username(),
                time=f"{timezone.localtime(other.created_at):%Y-%m-%d %H:%M}"), overlap)


def decide(*, user: User, request: ChangeRequest, approve: bool, note: str = "") -> ChangeRequest:
    """Approve (writing a new generation of the grids) or reject a pending request. With the four-eyes rule
    (`four_eyes()`), the request's author may reject (withdraw) it but not approve it."""
    if approve and four_eyes() and request.created_by_id == user.pk:
        raise OwnRequest("不能审批自己提交的调整申请，请由其他审批人审批")
    with transaction.atomic():
        Area.objects.select_for_update().get(pk=request.community_id)
        request = ChangeRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != ChangeRequest.Status.PENDING:
            raise ops.EditError(_("Change request #{request} is already {status}.").format(
                request=request.pk, status=request.get_status_display()),
                                code="already_decided", status=409)
        if approve:
            _check_still_current(request.community, request.level, request.base, request.changed + request.removed)
            request.generation = _apply(user, request)
        request.status = ChangeRequest.Status.APPROVED if approve else ChangeRequest.Status.REJECTED
        request.decided_by, request.decided_at, request.decision_note = user, timezone.now(), note
        request.save()
        return request


def _apply(user: User, request: ChangeRequest) -> Generation:
    """Write the approved proposal as a new generation: changed grids get a new row each, removed grids are
    closed, new grids get the next free codes; staff, child grids and business-grid links are carried over
    (`carryover`), and what each grid gained and lost is recorded on the request."""
    community = request.community
    generation = create_generation(f"网格调整 #{request.pk}：{request.reason[:150]}", user)
    features = {f["properties"]["code"]: f for f in request.proposal["features"]}
    current = {g.code: g for g in current_grids(community, request.level)}
    codes = _new_codes(community, [c for c in request.changed if c.startswith(ops.NEW_CODE_PREFIX)])
    plan, effects = _carryover(request, codes)
    with pghistory.context(reason=f"change request {request.pk}"):
        try:
            retire(Grid.objects.filter(pk__in=[current[c].pk for c in request.changed + request.removed if c in current]),
                   generation)
            rows = {code: _new_version(current.get(code), codes.get(code, code), features[code], community,
                                       request.level, generation) for code in request.changed}
            _snap_to_unchanged_neighbours(generation)
            carryover.carry(plan, rows)
            place_buildings()
            follow_base_grids(generation, {})  # aligned business grids: a new version on their carried base grids
        except DatabaseError as error:
            refusal = refusal_of(error)
            raise ops.EditError(f"数据库拒绝了此调整：{refusal.message}", code=refusal.code) from None
    request.carryover = {"effects": effects, "retired_staff": plan.retired_staff}
    return generation


def _carryover(request: ChangeRequest, codes: dict[str, str] | None = None) -> tuple[carryover.Plan, list[dict[str, Any]]]:
    """The carry-over plan of a request on the current grids, and what each affected grid gains and loses."""
    draft = Draft.from_geojson(request.proposal)
    plan = carryover.plan(community=request.community, level=request.level, partition=draft.partition,
                          changed=request.changed, removed=request.removed, restored_from=request.restored_from)
    __, points, counts = footprints_in(request.community)
    effects = carryover.effects(community=request.community, level=request.level, plan=plan,
                                partition=draft.partition, properties=draft.properties, changed=request.changed,
                                removed=request.removed, points=points, counts=counts, codes=codes)
    return plan, effects


def effects_of(request: ChangeRequest) -> list[dict[str, Any]]:
    """What each grid gains and loses: recorded at approval, else (pending) as approval would do it now."""
    if request.status == ChangeRequest.Status.APPROVED:
        return request.carryover.get("effects", [])
    if request.status == ChangeRequest.Status.REJECTED:
        return []
    return _carryover(request)[1]


# The editor computes on a millimetre grid in metres, so once back in degrees a changed grid's vertices can sit up
# to ~0.7 mm from where its unchanged neighbours' (and its community's) vertices are. ST_Snap moves them onto those
# vertices within 2e-8 degrees (about 2 mm) and inserts the neighbours' vertices into its edges: the shared
# boundary is one boundary again, so points on it and child grids' vertices along it meet both sides exactly
# (a restored version gets its old coordinates back). Left: where a new vertex (a split line's crossing) lies on a
# neighbour's straight edge, a sliver under a hundredth of a square metre. A snap that would make a grid invalid
# is skipped.
SNAP_DEGREES = 2e-8
SNAP_SQL = """
UPDATE grids_grid g SET geom = s.snapped
FROM (
    SELECT c.id, ST_Multi(ST_Snap(c.geom, ST_Collect(a.geom, ST_Collect(n.geom)), %(tolerance)s)) AS snapped
    FROM grids_grid c
    JOIN areas_area a ON a.id = c.community_id
    LEFT JOIN grids_grid n ON n.level = c.level AND n.generation_high_id IS NULL
                          AND n.generation_low_id <> c.generation_low_id AND ST_DWithin(n.geom, c.geom, %(tolerance)s)
    WHERE c.generation_low_id = %(generation)s
    GROUP BY c.id, c.geom, a.geom
) s
WHERE g.id = s.id AND ST_IsValid(s.snapped) AND NOT ST_OrderingEquals(g.geom, s.snapped)
"""


def _snap_to_unchanged_neighbours(generation: Generation) -> None:
    with connection.cursor() as cursor:
        cursor.execute(SNAP_SQL, {"tolerance": SNAP_DEGREES, "generation": generation.pk})


def _new_version(old: Grid | None, code: str, feature: dict[str, Any], community: Area, level: int,
                 generation: Generation) -> Grid:
    props = feature["properties"]
    geom = GEOSGeometry(shapely.to_wkb(shape(feature["geometry"])).hex(), srid=4490)
    grid = Grid(code=code, name=props.get("name") or (old.name if old else code), level=level,
                kind=props.get("kind") or Grid.Kind.COMPREHENSIVE, setting=props.get("setting") or Grid.Setting.URBAN,
                exclusive_type=props.get("exclusive_type", old.exclusive_type if old else "") or "",
                community=community, parent=_parent_of(props, old, level),
                geom=geom if isinstance(geom, MultiPolygon) else MultiPolygon(geom, srid=4490),
                generation_low=generation)
    grid.save()
    return grid


def _parent_of(props: dict[str, Any], old: Grid | None, level: int) -> Grid | None:
    """A grid below level 1 keeps its parent: the current grid the proposal names (an imported layer's
    parent_code), else the parent of the row it replaces."""
    if level == 1:
        return None
    code = props.get("parent_code")
    if code:
        return Grid.objects.current().filter(code=code).first()
    return old.parent if old else None


def _new_codes(community: Area, provisional: list[str]) -> dict[str, str]:
    """Next free 3-digit sequences after every code the community has ever used (history keeps old codes)."""
    used = Grid.objects.filter(community=community, code__startswith=community.code).values_list("code", flat=True)
    last = max((int(c[12:15]) for c in used if len(c) >= 15 and c[12:15].isdigit()), default=0)
    return {code: f"{community.code}{last + i:03d}" for i, code in enumerate(sorted(provisional), start=1)}


def restore(*, user: User, community: Area, generation: Generation, reason: str, level: int = 1) -> ChangeRequest:
    """Propose the community's grids as they were in a past generation (approval makes it a new version)."""
    past = list(grids_at(community, generation.pk, level))
    if not past:
        raise ops.EditError(_("The community has no grids in version {version}.").format(version=generation.pk),
                            code="empty_version",
                            field="generation")
    partition = ops.snapped({g.code: to_area_crs(shapely.from_wkb(bytes(g.geom.wkb))) for g in past})
    current, properties = draft_of(community, level)
    for grid in past:
        if grid.code not in properties:
            properties[grid.code] = {"code": grid.code, "name": grid.name, "grid_id": None, "level": grid.level,
                                     "kind": grid.kind, "setting": grid.setting}
    draft = Draft(partition, {c: p for c, p in properties.items() if c in partition})
    base = {c: p["grid_id"] for c, p in properties.items() if p.get("grid_id")}
    return submit(user=user, community=community, draft=draft, base=base, reason=reason, level=level,
                  restored_from=generation)
