"""Writing checked features (already in CGCS2000) into the domain tables, one function per target.

Writers run inside the import's transaction; a `WriteError` (or a refusal from the database's own
constraints and triggers) rolls the whole import back.
"""
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import shapely
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Point
from django.db import connection
from django.utils.translation import gettext as _

from geogrid.areas.models import Area
from geogrid.buildings.models import Building
from geogrid.core.copy import copy_rows, ewkb
from geogrid.core.models import Generation
from geogrid.core.api import DomainError
from geogrid.core.services import retire
from geogrid.departments.models import BusinessGrid, Department
from geogrid.departments.services import TIER_OF_KIND, create_department, department_refusal
from geogrid.grids.models import Grid
from geogrid.roads.models import Road
from geogrid.imports.models import ImportedFeature, ImportJob
from geogrid.imports.validation import CheckedFeature, Problem
from geogrid.staff.models import StaffMember
from geogrid.stations.models import ServiceStation

AREA_TIER = {"county": 0, "street": 1, "town": 1, "township": 1, "community": 2, "village": 2}
CODE_SEPARATORS = re.compile(r"[,，;；、\s]+")


class WriteError(Exception):
    """Rows that contradict the database (unknown parent codes, codes already in use, ...)."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


@dataclass(frozen=True)
class Created:
    """A row a writer created, updated or ended, for the import's log (and its undo)."""

    model: str  # "app_label.Model"
    pk: int
    row: CheckedFeature | None  # None: a row ended because the file no longer names it (replace)
    action: str = ImportedFeature.Action.CREATED
    previous: dict | None = None  # an updated row's values before the import

    @classmethod
    def of(cls, obj, row: CheckedFeature | None, action: str = ImportedFeature.Action.CREATED) -> "Created":
        return cls(obj._meta.label, obj.pk, row, action)


@dataclass
class WriteContext:
    generation: Generation | None = None
    department: Department | None = None
    scope: Area | None = None  # the importing user's area; None for superusers and command-line imports
    mode: str = ImportJob.Mode.CREATE
    key: str | None = None  # the field that matches rows to stored ones (buildings: address or id)
    unchanged: int = 0  # rows that match a stored row exactly (update and replace modes)
    notes: list[str] = field(default_factory=list)

    def refuse_outside(self, rows: list[CheckedFeature], codes: Callable[[CheckedFeature], list[str]]) -> None:
        """Rows naming an area code outside the user's area are refused: a clerk imports for their own area."""
        if self.scope is None:
            return
        prefix = Area.code_prefix(self.scope.code)
        problems = [_problem(r, _("{code} is not in your area {area}.").format(code=c, area=self.scope.name),
                             "outside_scope")
                    for r in rows for c in codes(r) if c and not c.startswith(prefix)]
        if problems:
            raise WriteError(problems)

    def refuse_points_outside(self, rows: list[CheckedFeature]) -> None:
        if self.scope is None:
            return
        area = self.scope.geom
        problems = [_problem(r, _("The location is not in your area {area}.").format(area=self.scope.name),
                             "outside_scope")
                    for r in rows if not area.covers(_geos(r.geometry).point_on_surface)]
        if problems:
            raise WriteError(problems)


def _geos(geom: shapely.Geometry) -> GEOSGeometry:
    return GEOSGeometry(memoryview(shapely.to_wkb(geom)), srid=4490)


def _multipolygon(geom: shapely.Geometry) -> MultiPolygon:
    geos = _geos(geom)
    return geos if isinstance(geos, MultiPolygon) else MultiPolygon(geos, srid=4490)


def _problem(row: CheckedFeature, message: str, code: str | None = None) -> Problem:
    return Problem(row.number, message, row.raw.attributes, code=code)


def _taken(row: CheckedFeature, label: str, value: str) -> Problem:
    return Problem(row.number, _("{label} {value} already exists; import it again with --mode update.").format(
                       label=label, value=value),
                   row.raw.attributes, code="duplicate_key")


def _refuse_taken(rows: list[CheckedFeature], taken: set[str], label: str, key: str = "code") -> None:
    problems = [_taken(r, label, r.values[key]) for r in rows if r.values[key] in taken]
    if problems:
        raise WriteError(problems)


def _plain(value):
    """A stored value as the import log keeps it (geometries as WKT, many-to-many links as sorted ids)."""
    if isinstance(value, GEOSGeometry):
        return value.wkt
    if hasattr(value, "values_list"):
        return sorted(value.values_list("pk", flat=True))
    return value


def _differs(stored, given) -> bool:
    if isinstance(given, GEOSGeometry):
        return not _same_geometry(stored, shapely.from_wkb(bytes(given.wkb)))
    return _plain(stored) != (sorted(given) if isinstance(given, set) else given)


def _apply(obj, values: dict, row: CheckedFeature, ctx: "WriteContext") -> list[Created]:
    """Update mode on a stored row: set the values that differ (the audit trail keeps the old version, the
    import log the previous values for its undo) or count the row unchanged. A set value is a many-to-many."""
    changed = {name: value for name, value in values.items() if _differs(getattr(obj, name), value)}
    if not changed:
        ctx.unchanged += 1
        return []
    previous = {name: _plain(getattr(obj, name)) for name in changed}
    for name, value in changed.items():
        if isinstance(value, set):
            getattr(obj, name).set(value)
        else:
            setattr(obj, name, value)
    obj.save()
    return [Created(obj._meta.label, obj.pk, row, ImportedFeature.Action.UPDATED, previous)]


def write_areas(rows: list[CheckedFeature], ctx: WriteContext) -> list[Created]:
    """Areas keyed by code: create mode refuses stored codes, update mode changes name, kind, parent and
    boundary in place. A missing parent code is inferred from the 12-digit code."""
    ctx.refuse_outside(rows, lambda r: [r.values["code"]])
    rows = sorted(rows, key=lambda r: AREA_TIER[r.values["kind"]])
    stored = {a.code: a for a in Area.objects.filter(code__in=[r.values["code"] for r in rows])}
    if ctx.mode == ImportJob.Mode.CREATE:
        _refuse_taken(rows, set(stored), "区划代码")
    known = dict(Area.objects.filter(code__in=[r.values["parent_code"] or Area.parent_code_of(r.values["code"], r.values["kind"])
                                               for r in rows]).values_list("code", "id"))
    written, problems = [], []
    for row in rows:
        v = row.values
        parent_code = None if v["kind"] == "county" else v["parent_code"] or Area.parent_code_of(v["code"], v["kind"])
        parent_id = known.get(parent_code)
        if v["kind"] != "county" and parent_code is None:
            problems.append(Problem(row.number, _("The required field parent_code is empty, and the parent area cannot "
                                                  "be told from the code {code}.").format(code=v["code"]),
                                    row.raw.attributes, code="required"))
            continue
        if v["kind"] != "county" and parent_id is None:
            problems.append(Problem(row.number, _("There is no parent area {code}.").format(code=parent_code),
                                    row.raw.attributes,
                                    code="unknown_parent"))
            continue
        values = {"name": v["name"], "kind": v["kind"], "parent_id": parent_id, "geom": _multipolygon(row.geometry)}
        if v["code"] in stored:
            written += _apply(stored[v["code"]], values, row, ctx)
            known[v["code"]] = stored[v["code"]].id
            continue
        area = Area.objects.create(code=v["code"], **values)
        known[area.code] = area.id
        written.append(Created.of(area, row))
    if problems:
        raise WriteError(problems)
    return written


GRID_ATTRIBUTES = ("name", "level", "kind", "exclusive_type", "setting")
SAME_GEOMETRY_DEGREES = 1e-8  # about a millimetre: a re-import of an export in another CRS is still unchanged


def write_grids(rows: list[CheckedFeature], ctx: WriteContext) -> list[Created]:
    """Grids as `checks.check_grids` found them writable. Create mode adds them. Update mode gives every
    changed grid a new version in the import's generation, as the editor does: the old row ends, staff,
    business-grid links and child grids follow the code to its new row. Replace mode does the same and ends
    every current grid of the file's communities that the file does not name."""
    ctx.refuse_outside(rows, lambda r: [r.values["community_code"]])
    rows = sorted(rows, key=lambda r: r.values["level"])
    file_codes = {r.values["code"] for r in rows}
    written = [] if ctx.mode != ImportJob.Mode.REPLACE else _end_unnamed(rows, file_codes, ctx)
    current = {g.code: g for g in Grid.objects.current().filter(code__in=file_codes).select_related("parent")}
    changed = {r.values["code"] for r in rows if grid_changed(current.get(r.values["code"]), r)}
    communities = dict(Area.objects.communities().filter(code__in={r.values["community_code"] for r in rows})
                       .values_list("code", "id"))
    parents = dict(Grid.objects.current().filter(code__in={r.values["parent_code"] for r in rows if r.values["parent_code"]})
                   .values_list("code", "id"))
    for row in rows:
        v = row.values
        old = current.get(v["code"])
        if v["code"] not in changed:
            ctx.unchanged += 1
            continue
        if old is not None:
            retire(Grid.objects.filter(pk=old.pk), ctx.generation)
            written.append(Created.of(old, row, ImportedFeature.Action.ENDED))
        grid = Grid.objects.create(
            code=v["code"], name=v["name"], level=v["level"], kind=v["kind"], exclusive_type=v["exclusive_type"] or "",
            setting=v["setting"], parent_id=parents.get(v["parent_code"]) if v["level"] > 1 else None,
            community_id=communities[v["community_code"]], geom=_multipolygon(row.geometry),
            generation_low=ctx.generation,
        )
        if old is not None:
            carry_links(old, grid, keep_children=changed)
        parents[grid.code] = grid.id
        written.append(Created.of(grid, row, ImportedFeature.Action.UPDATED if old else ImportedFeature.Action.CREATED))
    return written


def carry_links(old: Grid, new: Grid, keep_children: set[str] = frozenset()) -> None:
    """Staff, business-grid links and current child grids (except those coded in `keep_children`, which get
    their own new version) follow a grid's code from its old row to its new one."""
    new.staff.set(old.staff.all())
    new.business_grids.set(old.business_grids.all())
    Grid.objects.current().filter(parent=old).exclude(code__in=keep_children).update(parent=new)


def grid_changed(old: Grid | None, row: CheckedFeature) -> bool:
    """Whether the row differs from the current grid of its code (attributes, parent or geometry), or is new."""
    if old is None:
        return True
    v = row.values
    same = (all((getattr(old, a) or "") == (v[a] or "") for a in GRID_ATTRIBUTES)
            and (old.parent.code if old.parent else None) == (v["parent_code"] if v["level"] > 1 else None))
    geometry = row.geometry if row.geometry.geom_type == "MultiPolygon" else shapely.MultiPolygon([row.geometry])
    return not (same and _same_geometry(old.geom, geometry))


def _same_geometry(stored: GEOSGeometry | None, given: shapely.Geometry | None) -> bool:
    if stored is None or given is None:
        return stored is None and given is None
    return shapely.equals_exact(shapely.from_wkb(bytes(stored.wkb)), given, tolerance=SAME_GEOMETRY_DEGREES,
                                normalize=True)


def _end_unnamed(rows: list[CheckedFeature], file_codes: set[str], ctx: WriteContext) -> list[Created]:
    """Replace mode: end the current grids of the file's communities that the file does not name. Their staff
    stay on the ended rows (a code that does not survive takes nobody along): the notes say who."""
    ended = list(Grid.objects.current().filter(community__code__in={r.values["community_code"] for r in rows})
                 .exclude(code__in=file_codes).prefetch_related("staff"))
    retire(Grid.objects.filter(pk__in=[g.pk for g in ended]), ctx.generation)
    for grid in ended:
        staff = [m.name for m in grid.staff.all()]
        if staff:
            ctx.notes.append(_("The grid {code} ended: its staff {staff} are no longer assigned to any current grid "
                               "(the code was not kept).").format(code=grid.code, staff="、".join(staff)))
    return [Created.of(g, None, ImportedFeature.Action.ENDED) for g in ended]


BUILDING_FIELDS = ("address", "floors", "households", "resident_households", "population", "use")


def write_buildings(rows: list[CheckedFeature], ctx: WriteContext) -> list[Created]:
    """Buildings by COPY (an import can hold a county's hundred thousand); placement follows in SQL. In update
    mode a row whose key (`ctx.key`) matches a stored building updates it when anything differs (the audit
    log keeps the previous version) and is counted unchanged otherwise; `checks` has refused ambiguous keys."""
    ctx.refuse_points_outside(rows)
    footprints, problems = [], []
    for row in rows:
        geometry = row.geometry
        if geometry.geom_type == "MultiPolygon":
            if len(geometry.geoms) != 1:
                problems.append(_problem(row, _("A building footprint must be one polygon."),
                                         "footprint_not_one_polygon"))
                continue
            geometry = geometry.geoms[0]
        footprints.append(geometry if geometry.geom_type == "Polygon" else None)
        v = row.values
        if v["households"] and v["resident_households"] > v["households"]:
            problems.append(_problem(row, _("The resident households cannot exceed the planned households."),
                                     "households_exceed_planned"))
    if problems:
        raise WriteError(problems)
    points = [r.geometry if f is None else None for r, f in zip(rows, footprints)]
    inner = shapely.point_on_surface([f for f in footprints if f is not None])
    inner_points = iter(inner)
    points = [p if p is not None else next(inner_points) for p in points]
    stored = _stored_buildings(rows, ctx)
    new, changed, written = [], [], []
    for row, footprint, point in zip(rows, footprints, points):
        building = stored.get(str(row.values[ctx.key] or "")) if stored else None
        if building is None:
            new.append((row, footprint, point))
        elif _update_building(building, row, footprint, point):
            changed.append((row, footprint, point))
            written.append(Created(Building._meta.label, building.pk, row, ImportedFeature.Action.UPDATED,
                                   building.previous))
        else:
            ctx.unchanged += 1
    _update_rows([stored[str(r.values[ctx.key])].pk for r, *_ in changed], changed)
    fields = [*BUILDING_FIELDS, "footprint", "point"]
    ids = copy_rows(Building, fields, _building_values(new))
    return written + [Created(Building._meta.label, pk, row) for pk, (row, *_) in zip(ids, new)]


def _building_values(rows: list[tuple[CheckedFeature, shapely.Geometry | None, shapely.Geometry]]) -> list[tuple]:
    """(*BUILDING_FIELDS, footprint, point) of each row, geometries as hex EWKB."""
    return [(*(r.values[f] for f in BUILDING_FIELDS), footprint, point)
            for (r, *_), footprint, point in zip(rows, ewkb([f for _, f, _ in rows]), ewkb([p for *_, p in rows]))]


UPDATE_BUILDINGS_SQL = """
UPDATE buildings_building b
SET address = u.address, floors = u.floors, households = u.households, resident_households = u.resident_households,
    population = u.population, use = u.use, footprint = u.footprint::geometry, point = u.point::geometry
FROM unnest(%s::bigint[], %s::text[], %s::int[], %s::int[], %s::int[], %s::int[], %s::text[], %s::text[], %s::text[])
     AS u(id, address, floors, households, resident_households, population, use, footprint, point)
WHERE b.id = u.id
"""


def _update_rows(ids: list[int], rows: list[tuple[CheckedFeature, shapely.Geometry | None, shapely.Geometry]]) -> None:
    """One statement for a batch of changed buildings (the audit triggers record each row's previous version)."""
    if not ids:
        return
    columns = list(zip(*_building_values(rows)))
    with connection.cursor() as cursor:
        cursor.execute(UPDATE_BUILDINGS_SQL, [ids, *map(list, columns)])


def _stored_buildings(rows: list[CheckedFeature], ctx: WriteContext) -> dict[str, Building]:
    """Update mode: the stored building of each row's key (checks guaranteed at most one)."""
    if ctx.mode != ImportJob.Mode.UPDATE:
        return {}
    values = {str(r.values[ctx.key]) for r in rows if r.values[ctx.key]}
    lookup = {"pk__in": [int(v) for v in values]} if ctx.key == "id" else {"address__in": values}
    return {str(getattr(b, "pk" if ctx.key == "id" else "address")): b for b in Building.objects.filter(**lookup)}


def _update_building(building: Building, row: CheckedFeature, footprint: shapely.Geometry | None,
                     point: shapely.Geometry) -> bool:
    """Whether the row changes the stored building; if so its values before are kept on `building.previous`
    for the import's undo."""
    if (all(getattr(building, f) == row.values[f] for f in BUILDING_FIELDS)
            and _same_geometry(building.footprint, footprint)
            and (footprint is not None or _same_geometry(building.point, point))):
        return False
    building.previous = {**{f: getattr(building, f) for f in BUILDING_FIELDS},
                         "footprint": building.footprint.wkt if building.footprint else None,
                         "point": building.point.wkt}
    return True


def write_business_grids(rows: list[CheckedFeature], ctx: WriteContext) -> list[Created]:
    if ctx.department is None:
        raise WriteError([Problem(None, _("Business grids need their department (--department CODE)."),
                                  code="department_required")])
    if ctx.scope is not None and not ctx.department.area.code.startswith(Area.code_prefix(ctx.scope.code)):
        raise WriteError([Problem(None, _("The department {name} is not in your area.").format(
            name=ctx.department.name), code="outside_scope")])
    taken = set(BusinessGrid.objects.current().filter(department=ctx.department).values_list("code", flat=True))
    _refuse_taken(rows, taken, "业务网格编码")
    grids = [BusinessGrid(department=ctx.department, code=r.values["code"], name=r.values["name"],
                          geom=_multipolygon(r.geometry), generation_low=ctx.generation) for r in rows]
    BusinessGrid.objects.bulk_create(grids)
    return [Created.of(g, r) for g, r in zip(grids, rows)]


def write_stations(rows: list[CheckedFeature], ctx: WriteContext) -> list[Created]:
    """Stations keyed by name within their community (the one covering the point): create mode refuses a
    stored name+community, update mode changes kind, address, hours and position in place."""
    ctx.refuse_points_outside(rows)
    stored = {(s.name, s.community_id): s for s in ServiceStation.objects.filter(name__in={r.values["name"] for r in rows})}
    new, written, problems = [], [], []
    for row in rows:
        v = row.values
        point: Point = _geos(row.geometry)
        community = Area.objects.communities().filter(geom__covers=point).first()
        station = stored.get((v["name"], community.pk if community else None))
        values = {"kind": v["kind"], "point": point, "address": v["address"], "opening_hours": v["opening_hours"]}
        if station is None:
            new.append((ServiceStation(name=v["name"], community=community, **values), row))
        elif ctx.mode == ImportJob.Mode.CREATE:
            problems.append(_taken(row, "服务站点", f"{v['name']}（{community.name if community else '无社区'}）"))
        else:
            written += _apply(station, values, row, ctx)
    if problems:
        raise WriteError(problems)
    ServiceStation.objects.bulk_create([s for s, _ in new])
    return written + [Created.of(s, r) for s, r in new]


def write_roads(rows: list[CheckedFeature], ctx: WriteContext) -> list[Created]:
    """Roads are public linework (the basemap, the walking network): one road per line part."""
    roads, owners = [], []
    for row in rows:
        for part in shapely.get_parts(row.geometry):
            roads.append(Road(name=row.values["name"], kind=row.values["kind"], geom=_geos(part)))
            owners.append(row)
    Road.objects.bulk_create(roads)
    return [Created.of(r, row) for r, row in zip(roads, owners)]


def _grid_codes(row: CheckedFeature) -> list[str]:
    return [c for c in CODE_SEPARATORS.split(row.values["grid_codes"]) if c]


class _StoredStaff:
    """The stored staff member a row names: by phone (a mobile number is one person's, and every grid staff
    ledger lists it); a row without a phone by the same name, also without a phone, serving one of its grids."""

    def __init__(self, rows: list[CheckedFeature], grids: dict[str, int]):
        self.by_phone: dict[str, list[StaffMember]] = defaultdict(list)
        for member in StaffMember.objects.filter(phone__in={r.values["phone"] for r in rows if r.values["phone"]}):
            self.by_phone[member.phone].append(member)
        self.by_name: dict[str, list[StaffMember]] = defaultdict(list)
        for member in StaffMember.objects.filter(name__in={r.values["name"] for r in rows if not r.values["phone"]},
                                                 phone="").prefetch_related("grids"):
            self.by_name[member.name].append(member)
        self.grids = grids

    def of(self, row: CheckedFeature) -> list[StaffMember]:
        v = row.values
        if v["phone"]:
            return self.by_phone.get(v["phone"], [])
        wanted = {self.grids[c] for c in _grid_codes(row)}
        return [m for m in self.by_name.get(v["name"], []) if wanted & {g.pk for g in m.grids.all()}]


def write_staff(rows: list[CheckedFeature], ctx: WriteContext) -> list[Created]:
    """Staff keyed by phone (see `_StoredStaff`): create mode refuses a stored person, update mode changes
    name, role, post, department and grids in place."""
    ctx.refuse_outside(rows, _grid_codes)
    wanted = {c for r in rows for c in _grid_codes(r)}
    grids = dict(Grid.objects.current().filter(code__in=wanted).values_list("code", "id"))
    departments = dict(Department.objects.values_list("code", "id"))
    problems = [_problem(r, f"网格 {'、'.join(unknown)} 不存在", "unknown_grid")
                for r in rows if (unknown := [c for c in _grid_codes(r) if c not in grids])]
    problems += [_problem(r, f"部门 {r.values['department_code']} 不存在", "unknown_department")
                 for r in rows if r.values["department_code"] and r.values["department_code"] not in departments]
    if problems:
        raise WriteError(problems)
    stored = _StoredStaff(rows, grids)
    written = []
    for row in rows:
        v = row.values
        matches = stored.of(row)
        who = v["phone"] or v["name"]
        if matches and ctx.mode == ImportJob.Mode.CREATE:
            problems.append(_taken(row, "工作人员", who))
            continue
        if len(matches) > 1:
            problems.append(Problem(row.number, _("{who} matches {count} stored staff members: which one to update is "
                                                  "unclear.").format(who=who, count=len(matches)),
                                    row.raw.attributes, code="ambiguous_key"))
            continue
        if matches and ctx.scope is not None:
            ctx.refuse_outside([row], lambda _: list(matches[0].grids.values_list("code", flat=True)))
        values = {"name": v["name"], "role": v["role"], "phone": v["phone"] or "", "post": v["post"],
                  "department_id": departments.get(v["department_code"])}
        codes = {grids[c] for c in _grid_codes(row)}
        if matches:
            written += _apply(matches[0], {**values, "grids": codes}, row, ctx)
            continue
        member = StaffMember.objects.create(**values)
        member.grids.set(codes)
        written.append(Created.of(member, row))
    if problems:
        raise WriteError(problems)
    return written


def write_departments(rows: list[CheckedFeature], ctx: WriteContext) -> list[Created]:
    """Departments of the streets and the county keyed by code, through the checks `manage.py
    create_department` makes; update mode changes name, area and tier in place."""
    stored = {d.code: d for d in Department.objects.filter(code__in=[r.values["code"] for r in rows]).select_related("area")}
    ctx.refuse_outside(rows, lambda r: [r.values["area_code"], *([stored[r.values["code"]].area.code]
                                                               if r.values["code"] in stored else [])])
    if ctx.mode == ImportJob.Mode.CREATE:
        _refuse_taken(rows, set(stored), "部门代码")
    written, problems = [], []
    for row in rows:
        v = row.values
        department = stored.get(v["code"])
        try:
            if department is None:
                written.append(Created.of(create_department(code=v["code"], name=v["name"], area_code=v["area_code"],
                                                            tier=v["tier"]), row))
                continue
            area = Area.objects.filter(code=v["area_code"]).first()
            refusal = department_refusal(code=v["code"], area=area, area_code=v["area_code"], tier=v["tier"], new=False)
            if refusal is not None:
                raise refusal
        except DomainError as error:
            problems.append(Problem(row.number, f"{error.message} / {error.code}", row.raw.attributes, code=error.code))
            continue
        written += _apply(department, {"name": v["name"], "area_id": area.pk, "tier": TIER_OF_KIND[area.kind]}, row, ctx)
    if problems:
        raise WriteError(problems)
    return written


WRITERS: dict[str, Callable[[list[CheckedFeature], WriteContext], list[Created]]] = {
    "areas": write_areas,
    "grids": write_grids,
    "buildings": write_buildings,
    "business_grids": write_business_grids,
    "stations": write_stations,
    "roads": write_roads,
    "staff": write_staff,
    "departments": write_departments,
}
