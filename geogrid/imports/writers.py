"""Writing checked features (already in CGCS2000) into the domain tables, one function per target.

Writers run inside the import's transaction; a `WriteError` (or a refusal from the database's own
constraints and triggers) rolls the whole import back.
"""
import re
from collections.abc import Callable
from dataclasses import dataclass

import shapely
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Point

from geogrid.areas.models import Area
from geogrid.buildings.models import Building
from geogrid.core.copy import copy_rows, ewkb
from geogrid.core.models import Generation
from geogrid.core.api import DomainError
from geogrid.departments.models import BusinessGrid, Department
from geogrid.departments.services import create_department
from geogrid.grids.models import Grid
from geogrid.roads.models import Road
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
    """A row a writer created, for the import's raw-record log."""

    model: str  # "app_label.Model"
    pk: int
    row: CheckedFeature

    @classmethod
    def of(cls, obj, row: CheckedFeature) -> "Created":
        return cls(obj._meta.label, obj.pk, row)


@dataclass
class WriteContext:
    generation: Generation | None = None
    department: Department | None = None
    scope: Area | None = None  # the importing user's area; None for superusers and command-line imports

    def refuse_outside(self, rows: list[CheckedFeature], codes: Callable[[CheckedFeature], list[str]]) -> None:
        """Rows naming an area code outside the user's area are refused: a clerk imports for their own area."""
        if self.scope is None:
            return
        prefix = Area.code_prefix(self.scope.code)
        problems = [_problem(r, f"{c} 不在您负责的区域 {self.scope.name} 内 / outside your area")
                    for r in rows for c in codes(r) if c and not c.startswith(prefix)]
        if problems:
            raise WriteError(problems)

    def refuse_points_outside(self, rows: list[CheckedFeature]) -> None:
        if self.scope is None:
            return
        area = self.scope.geom
        problems = [_problem(r, f"位置不在您负责的区域 {self.scope.name} 内 / outside your area")
                    for r in rows if not area.covers(_geos(r.geometry).point_on_surface)]
        if problems:
            raise WriteError(problems)


def _geos(geom: shapely.Geometry) -> GEOSGeometry:
    return GEOSGeometry(memoryview(shapely.to_wkb(geom)), srid=4490)


def _multipolygon(geom: shapely.Geometry) -> MultiPolygon:
    geos = _geos(geom)
    return geos if isinstance(geos, MultiPolygon) else MultiPolygon(geos, srid=4490)


def _problem(row: CheckedFeature, message: str) -> Problem:
    return Problem(row.number, message, row.raw.attributes)


def _refuse_taken(rows: list[CheckedFeature], taken: set[str], label: str, key: str = "code") -> None:
    problems = [_problem(r, f"{label} {r.values[key]} 已存在 / {r.values[key]} already exists")
                for r in rows if r.values[key] in taken]
    if problems:
        raise WriteError(problems)


def write_areas(rows: list[CheckedFeature], ctx: WriteContext) -> list[Created]:
    ctx.refuse_outside(rows, lambda r: [r.values["code"]])
    rows = sorted(rows, key=lambda r: AREA_TIER[r.values["kind"]])
    _refuse_taken(rows, set(Area.objects.filter(code__in=[r.values["code"] for r in rows]).values_list("code", flat=True)),
                  "区划代码")
    known = dict(Area.objects.filter(code__in=[r.values["parent_code"] or Area.parent_code_of(r.values["code"], r.values["kind"])
                                               for r in rows]).values_list("code", "id"))
    created, problems = [], []
    for row in rows:
        v = row.values
        parent_code = None if v["kind"] == "county" else v["parent_code"] or Area.parent_code_of(v["code"], v["kind"])
        parent_id = known.get(parent_code)
        if v["kind"] != "county" and parent_code is None:
            problems.append(Problem(row.number, f"必填字段 parent_code 为空，且无法从代码 {v['code']} 推出上级区划 / "
                                                "required field parent_code is empty", row.raw.attributes, code="required"))
            continue
        if v["kind"] != "county" and parent_id is None:
            problems.append(Problem(row.number, f"上级区划 {parent_code} 不存在 / unknown parent area", row.raw.attributes,
                                    code="unknown_parent"))
            continue
        area = Area.objects.create(code=v["code"], name=v["name"], kind=v["kind"], parent_id=parent_id,
                                   geom=_multipolygon(row.geometry))
        known[area.code] = area.id
        created.append(Created.of(area, row))
    if problems:
        raise WriteError(problems)
    return created


def write_grids(rows: list[CheckedFeature], ctx: WriteContext) -> list[Created]:
    ctx.refuse_outside(rows, lambda r: [r.values["community_code"]])
    rows = sorted(rows, key=lambda r: r.values["level"])
    codes = [r.values["code"] for r in rows]
    _refuse_taken(rows, set(Grid.objects.current().filter(code__in=codes).values_list("code", flat=True)), "网格编码")
    communities = dict(Area.objects.communities().filter(code__in={r.values["community_code"] for r in rows})
                       .values_list("code", "id"))
    parents = dict(Grid.objects.current().filter(code__in={r.values["parent_code"] for r in rows if r.values["parent_code"]})
                   .values_list("code", "id"))
    created, problems = [], []
    for row in rows:
        v = row.values
        if v["community_code"] not in communities:
            problems.append(_problem(row, f"社区/村 {v['community_code']} 不存在 / unknown community"))
            continue
        if v["level"] not in (1, 2, 3):
            problems.append(_problem(row, f"网格层级应为 1、2 或 3，实为 {v['level']} / level must be 1-3"))
            continue
        parent_id = parents.get(v["parent_code"]) if v["parent_code"] else None
        if v["level"] > 1 and parent_id is None:
            problems.append(_problem(row, f"上级网格 {v['parent_code'] or '(未填)'} 不存在 / unknown parent grid"))
            continue
        grid = Grid.objects.create(
            code=v["code"], name=v["name"], level=v["level"], kind=v["kind"], exclusive_type=v["exclusive_type"] or "",
            setting=v["setting"], parent_id=parent_id if v["level"] > 1 else None,
            community_id=communities[v["community_code"]], geom=_multipolygon(row.geometry),
            generation_low=ctx.generation,
        )
        parents[grid.code] = grid.id
        created.append(Created.of(grid, row))
    if problems:
        raise WriteError(problems)
    return created


def write_buildings(rows: list[CheckedFeature], ctx: WriteContext) -> list[Created]:
    """Buildings by COPY (an import can hold a county's hundred thousand); placement follows in SQL."""
    ctx.refuse_points_outside(rows)
    footprints, problems = [], []
    for row in rows:
        geometry = row.geometry
        if geometry.geom_type == "MultiPolygon":
            if len(geometry.geoms) != 1:
                problems.append(_problem(row, "楼栋轮廓应为单个面 / a footprint must be one polygon"))
                continue
            geometry = geometry.geoms[0]
        footprints.append(geometry if geometry.geom_type == "Polygon" else None)
        v = row.values
        if v["households"] and v["resident_households"] > v["households"]:
            problems.append(_problem(row, "常住户数不能大于规划户数 / resident households exceed planned households"))
    if problems:
        raise WriteError(problems)
    points = [r.geometry if f is None else None for r, f in zip(rows, footprints)]
    inner = shapely.point_on_surface([f for f in footprints if f is not None])
    inner_points = iter(inner)
    points = [p if p is not None else next(inner_points) for p in points]
    fields = ["address", "floors", "households", "resident_households", "population", "use", "footprint", "point"]
    values = [(r.values["address"], r.values["floors"], r.values["households"], r.values["resident_households"],
               r.values["population"], r.values["use"], footprint, point)
              for r, footprint, point in zip(rows, ewkb(footprints), ewkb(points))]
    ids = copy_rows(Building, fields, values)
    return [Created(Building._meta.label, pk, row) for pk, row in zip(ids, rows)]


def write_business_grids(rows: list[CheckedFeature], ctx: WriteContext) -> list[Created]:
    if ctx.department is None:
        raise WriteError([Problem(None, "导入业务网格需指定部门（--department 代码）/ name the department")])
    if ctx.scope is not None and not ctx.department.area.code.startswith(Area.code_prefix(ctx.scope.code)):
        raise WriteError([Problem(None, f"部门 {ctx.department.name} 不在您负责的区域内 / not your department")])
    taken = set(BusinessGrid.objects.current().filter(department=ctx.department).values_list("code", flat=True))
    _refuse_taken(rows, taken, "业务网格编码")
    grids = [BusinessGrid(department=ctx.department, code=r.values["code"], name=r.values["name"],
                          geom=_multipolygon(r.geometry), generation_low=ctx.generation) for r in rows]
    BusinessGrid.objects.bulk_create(grids)
    return [Created.of(g, r) for g, r in zip(grids, rows)]


def write_stations(rows: list[CheckedFeature], ctx: WriteContext) -> list[Created]:
    ctx.refuse_points_outside(rows)
    stations = []
    for row in rows:
        point: Point = _geos(row.geometry)
        community = Area.objects.communities().filter(geom__covers=point).first()
        stations.append(ServiceStation(name=row.values["name"], kind=row.values["kind"], point=point,
                                       address=row.values["address"], opening_hours=row.values["opening_hours"],
                                       community=community))
    ServiceStation.objects.bulk_create(stations)
    return [Created.of(s, r) for s, r in zip(stations, rows)]


def write_roads(rows: list[CheckedFeature], ctx: WriteContext) -> list[Created]:
    """Roads are public linework (the basemap, the walking network): one road per line part."""
    roads, owners = [], []
    for row in rows:
        for part in shapely.get_parts(row.geometry):
            roads.append(Road(name=row.values["name"], kind=row.values["kind"], geom=_geos(part)))
            owners.append(row)
    Road.objects.bulk_create(roads)
    return [Created.of(r, row) for r, row in zip(roads, owners)]


def write_staff(rows: list[CheckedFeature], ctx: WriteContext) -> list[Created]:
    ctx.refuse_outside(rows, lambda r: [c for c in CODE_SEPARATORS.split(r.values["grid_codes"]) if c])
    wanted = {c for r in rows for c in CODE_SEPARATORS.split(r.values["grid_codes"]) if c}
    grids = dict(Grid.objects.current().filter(code__in=wanted).values_list("code", "id"))
    departments = dict(Department.objects.values_list("code", "id"))
    created, problems = [], []
    for row in rows:
        v = row.values
        codes = [c for c in CODE_SEPARATORS.split(v["grid_codes"]) if c]
        unknown = [c for c in codes if c not in grids]
        if unknown:
            problems.append(_problem(row, f"网格 {'、'.join(unknown)} 不存在 / unknown grid codes"))
            continue
        if v["department_code"] and v["department_code"] not in departments:
            problems.append(_problem(row, f"部门 {v['department_code']} 不存在 / unknown department"))
            continue
        member = StaffMember.objects.create(name=v["name"], role=v["role"], phone=v["phone"], post=v["post"],
                                            department_id=departments.get(v["department_code"]))
        member.grids.set([grids[c] for c in codes])
        created.append(Created.of(member, row))
    if problems:
        raise WriteError(problems)
    return created


def write_departments(rows: list[CheckedFeature], ctx: WriteContext) -> list[Created]:
    """Departments of the streets and the county, through the checks `manage.py create_department` makes."""
    ctx.refuse_outside(rows, lambda r: [r.values["area_code"]])
    created, problems = [], []
    for row in rows:
        v = row.values
        try:
            department = create_department(code=v["code"], name=v["name"], area_code=v["area_code"], tier=v["tier"])
        except DomainError as error:
            problems.append(Problem(row.number, f"{error.message} / {error.code}", row.raw.attributes, code=error.code))
            continue
        created.append(Created.of(department, row))
    if problems:
        raise WriteError(problems)
    return created


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
