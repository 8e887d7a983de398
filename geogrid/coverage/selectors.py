"""Coverage validation (reads): every problem of the grids of a community, street or county, with its area and
location, found by PostGIS in one statement over the stored data.

What must hold (seed 003: "不留网格管理空白点和交叉点"; seed 004: "覆盖全面、不交叉重叠"; seed 001: no
household split across grids), per level:

- the level-1 grids of a community tile it exactly; where a grid is subdivided, its children of the next
  level tile it exactly (a level is optional under a parent: a parent without children is no gap);
- grids of one level in one community do not overlap; an exclusive grid overlapping a comprehensive one is
  its own kind, allowed when the county's rules say so;
- a grid lies inside its community and inside its parent grid (the database refuses real overhangs on write,
  but rows written before that rule or under other tolerances are still reported);
- no building footprint is cut by a grid boundary of any level;
- comprehensive grids hold the households their rule set asks for (`SizingRules.size_rules`).

Areas and widths are measured in `settings.GEOGRID_AREA_SRID` (a CGCS2000 Gauss-Krüger zone), never in
degrees. Gaps, overlaps, overhangs and cut-off building parts smaller than the rule set's sliver tolerance,
or thinner on average (2 x area / perimeter) than its sliver width, are reported with severity "sliver"
(digitising or reprojection noise to clean up, not an error: the database's containment trigger lets the
same thin slivers through); size problems are warnings (DESIGN-NOTES: warn, do not block); everything else
is an error.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import shapely
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.contrib.gis.geos import GEOSGeometry, Point
from django.db import connection, models
from django.db.models import F, Q
from shapely.geometry.base import BaseGeometry

from geogrid.accounts.selectors import area_code_prefix
from geogrid.areas.models import Area
from geogrid.coverage.models import SizingRules
from geogrid.grids.models import Grid


STORAGE_SRID: int = Grid._meta.get_field("geom").srid  # CGCS2000 lon/lat (EPSG:4490)


class ProblemKind(models.TextChoices):
    GAP = "gap", "网格空白"
    OVERLAP = "overlap", "网格重叠"
    OUTSIDE_PARENT = "outside_parent", "超出上级网格"
    OUTSIDE_COMMUNITY = "outside_community", "超出所属社区/村"
    BUILDING_CUT = "building_cut", "楼栋被网格边界分割"
    SIZE_OUT_OF_RANGE = "size_out_of_range", "网格户数不符合规则"
    EXCLUSIVE_OVERLAP = "exclusive_overlap", "专属网格与综合网格重叠"


class Severity(models.TextChoices):
    ERROR = "error", "错误"
    WARNING = "warning", "警告"
    SLIVER = "sliver", "碎片"


SEVERITY_ORDER = (Severity.ERROR, Severity.WARNING, Severity.SLIVER)
KIND_ORDER = tuple(ProblemKind)


@dataclass(frozen=True)
class Problem:
    """One problem: what, how bad, which grids, how big (m², mean width 2 x area / perimeter in m), where (a
    point inside it) and its geometry."""

    kind: ProblemKind
    severity: Severity
    level: int
    community_code: str
    grid_codes: tuple[str, ...]
    area_m2: float
    mean_width_m: float
    location: Point
    geometry: GEOSGeometry
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        """One line in Chinese for people: the kind, the grids and the size."""
        codes = "、".join(self.grid_codes)
        area = f"{self.area_m2:,.1f} m²"
        match self.kind:
            case ProblemKind.GAP:
                return f"{self.level}级网格空白 {area}" + (f"，相邻网格：{codes}" if codes else "")
            case ProblemKind.OVERLAP | ProblemKind.EXCLUSIVE_OVERLAP:
                return f"{self.kind.label}：{codes}，重叠 {area}"
            case ProblemKind.OUTSIDE_PARENT:
                return f"网格 {self.grid_codes[0]} 超出上级网格 {self.grid_codes[1]} {area}"
            case ProblemKind.OUTSIDE_COMMUNITY:
                return f"网格 {codes} 超出所属社区/村 {area}"
            case ProblemKind.BUILDING_CUT:
                return f"楼栋“{self.detail['address']}”被{self.level}级网格边界分割（{codes}），分出 {area}"
            case ProblemKind.SIZE_OUT_OF_RANGE:
                d = self.detail
                if "min" in d and "max" in d:
                    bounds = f"{d['min']}-{d['max']} 户"
                else:
                    bounds = f"不少于 {d['min']} 户" if "min" in d else f"不超过 {d['max']} 户"
                return f"网格 {codes} {d['rule']} {d['households']} 户，规则 {bounds}"
        raise AssertionError(self.kind)

    def properties(self) -> dict[str, Any]:
        """Everything but the geometry, JSON-ready."""
        return {
            "kind": self.kind.value,
            "kind_label": self.kind.label,
            "severity": self.severity.value,
            "level": self.level,
            "community": self.community_code,
            "grid_codes": list(self.grid_codes),
            "area_m2": round(self.area_m2, 2),
            "mean_width_m": round(self.mean_width_m, 3),
            "location": {"lon": round(self.location.x, 8), "lat": round(self.location.y, 8)},
            "message": self.message,
            "detail": self.detail,
        }

    def as_feature(self) -> dict[str, Any]:
        return {"type": "Feature", "geometry": json.loads(self.geometry.json), "properties": self.properties()}


@dataclass(frozen=True)
class CoverageReport:
    """All problems of an area's grids at the validated levels, worst first."""

    area_code: str
    area_name: str
    levels: tuple[int, ...]
    rules: SizingRules
    problems: tuple[Problem, ...]

    def count(self, severity: Severity) -> int:
        return sum(1 for p in self.problems if p.severity == severity)

    @property
    def has_errors(self) -> bool:
        return self.count(Severity.ERROR) > 0

    def summary(self) -> dict[str, Any]:
        return {
            "area": {"code": self.area_code, "name": self.area_name},
            "levels": list(self.levels),
            "rules": {"id": self.rules.pk, "name": str(self.rules)},
            "counts": {severity.value: self.count(severity) for severity in SEVERITY_ORDER},
        }

    def as_json(self) -> dict[str, Any]:
        return {**self.summary(), "problems": [p.properties() for p in self.problems]}

    def as_geojson(self) -> dict[str, Any]:
        """A FeatureCollection, one feature per problem; the summary rides along as foreign members."""
        return {"type": "FeatureCollection", **self.summary(), "features": [p.as_feature() for p in self.problems]}


@dataclass(frozen=True)
class CoverageGroup:
    """Grids of one level that must tile one container exactly: a community's level-1 grids, or the children
    of one subdivided grid. Geometries are shapely, in the storage CRS (EPSG:4490)."""

    container_code: str
    community_code: str
    level: int
    container: BaseGeometry
    codes: tuple[str, ...]
    kinds: tuple[str, ...]
    geoms: tuple[BaseGeometry, ...]


def rules_for(area: Area) -> SizingRules:
    """The rule set of the county the area lies in, else the default rule set.

    With no rule set stored at all (`load_demo --reset` truncates areas with CASCADE, which empties this
    table too) the model's field defaults apply: they are the same seed numbers.
    """
    county_code = area.code[:6] + "000000"
    stored = (
        SizingRules.objects.filter(Q(county__code=county_code) | Q(county__isnull=True))
        .select_related("county").order_by(F("county").asc(nulls_last=True)).first()
    )
    return stored or SizingRules()


def may_validate(user: User | AnonymousUser, area: Area) -> bool:
    """Superusers anywhere; everyone else inside their own area (department users: their department's area)."""
    prefix = area_code_prefix(user)
    return prefix is not None and area.code.startswith(prefix)


# ---- SQL --------------------------------------------------------------------------------------------------
# Every check reads the relation `grid_set`: the current grids of the area's communities, each with its
# parent's code (a parent is resolved by code, so a child still finds a parent that got a newer version).
# The repair preview swaps in its proposed geometries (`PROPOSED_GRIDS`) and the same checks run unchanged.

SCOPE = """
scope AS MATERIALIZED (
    SELECT id, code, geom FROM areas_area WHERE code LIKE %(prefix)s AND kind = ANY(%(community_kinds)s)
)"""

CURRENT_GRIDS = """
grid_set AS NOT MATERIALIZED (
    SELECT g.id, g.code, g.level, g.kind, g.setting, g.community_id, pr.code AS parent_code, g.geom,
           g.household_count, g.resident_household_count
    FROM grids_grid g LEFT JOIN grids_grid pr ON pr.id = g.parent_id
    WHERE g.generation_high_id IS NULL AND g.community_id IN (SELECT id FROM scope)
)"""

# Proposed grids get their households recounted from building points, as `place_buildings` would.
PROPOSED_GRIDS = """
proposal AS MATERIALIZED (
    SELECT p.code, ST_Multi(ST_GeomFromWKB(p.wkb, %(srid)s)) AS geom
    FROM unnest(%(proposed_codes)s::text[], %(proposed_wkb)s::bytea[]) AS p(code, wkb)
),
grid_set AS MATERIALIZED (
    SELECT g.id, g.code, g.level, g.kind, g.setting, g.community_id, pr.code AS parent_code,
           coalesce(p.geom, g.geom) AS geom,
           CASE WHEN p.code IS NULL THEN g.household_count ELSE n.households END AS household_count,
           CASE WHEN p.code IS NULL THEN g.resident_household_count ELSE n.resident END AS resident_household_count
    FROM grids_grid g
    LEFT JOIN grids_grid pr ON pr.id = g.parent_id
    LEFT JOIN proposal p ON p.code = g.code
    CROSS JOIN LATERAL (
        SELECT coalesce(sum(b.households), 0) AS households, coalesce(sum(b.resident_households), 0) AS resident
        FROM buildings_building b WHERE ST_Intersects(b.point, p.geom)
    ) n
    WHERE g.generation_high_id IS NULL AND g.community_id IN (SELECT id FROM scope)
)"""

# What each level must tile: communities (level 1) and subdivided grids (levels 2 and 3).
CONTAINERS = """
containers AS (
    SELECT 1 AS level, s.id AS community_id, s.code AS community_code, NULL::text AS parent_code, s.geom
    FROM scope s WHERE 1 = ANY(%(levels)s)
    UNION ALL
    SELECT p.level + 1, p.community_id, s.code, p.code, p.geom
    FROM grid_set p JOIN scope s ON s.id = p.community_id
    WHERE p.level + 1 = ANY(%(levels)s) AND EXISTS (SELECT 1 FROM grid_set c WHERE c.parent_code = p.code)
)"""

MEMBER_OF_CONTAINER = (
    "m.community_id = c.community_id AND m.level = c.level AND m.parent_code IS NOT DISTINCT FROM c.parent_code"
)

GAPS = f"""
SELECT 'gap', c.level, c.community_code,
       ARRAY(SELECT m.code FROM grid_set m WHERE {MEMBER_OF_CONTAINER} AND ST_Intersects(m.geom, d.geom)
             ORDER BY m.code),
       d.geom, jsonb_build_object('parent', c.parent_code)
FROM containers c
CROSS JOIN LATERAL ST_Dump(ST_Difference(c.geom, coalesce(
    (SELECT ST_Union(m.geom) FROM grid_set m WHERE {MEMBER_OF_CONTAINER}),
    ST_GeomFromText('POLYGON EMPTY', %(srid)s)
))) d
WHERE GeometryType(d.geom) = 'POLYGON'"""

# Pairs through the spatial index (&&), compared only where their interiors share an area ('2********').
OVERLAPS = """
SELECT CASE WHEN a.kind = b.kind THEN 'overlap' ELSE 'exclusive_overlap' END, a.level, s.code,
       ARRAY[a.code, b.code], d.geom, '{}'::jsonb
FROM grid_set a
JOIN grid_set b ON b.community_id = a.community_id AND b.level = a.level AND a.code < b.code AND b.geom && a.geom
JOIN scope s ON s.id = a.community_id
CROSS JOIN LATERAL ST_Dump(ST_Intersection(a.geom, b.geom)) d
WHERE a.level = ANY(%(levels)s) AND (a.kind = b.kind OR NOT %(exclusive_may_overlap)s)
  AND ST_Relate(a.geom, b.geom, '2********') AND GeometryType(d.geom) = 'POLYGON'"""

OUTSIDE_PARENT = """
SELECT 'outside_parent', c.level, s.code, ARRAY[c.code, p.code], d.geom, '{}'::jsonb
FROM grid_set c JOIN grid_set p ON p.code = c.parent_code JOIN scope s ON s.id = c.community_id
CROSS JOIN LATERAL ST_Dump(ST_Difference(c.geom, p.geom)) d
WHERE c.level = ANY(%(levels)s) AND NOT ST_CoveredBy(c.geom, p.geom) AND GeometryType(d.geom) = 'POLYGON'"""

OUTSIDE_COMMUNITY = """
SELECT 'outside_community', g.level, s.code, ARRAY[g.code], d.geom, '{}'::jsonb
FROM grid_set g JOIN scope s ON s.id = g.community_id
CROSS JOIN LATERAL ST_Dump(ST_Difference(g.geom, s.geom)) d
WHERE g.level = ANY(%(levels)s) AND NOT ST_CoveredBy(g.geom, s.geom) AND GeometryType(d.geom) = 'POLYGON'"""

# A building is cut at a level when a grid of that level shares part of its footprint without covering it.
# The grid holding most of the footprint comes first; the problem geometry is the part outside that grid.
BUILDING_CUTS = """
SELECT 'building_cut', x.level, s.code, x.codes, ST_Difference(b.footprint, x.main_geom),
       jsonb_build_object('building_id', b.id, 'address', b.address, 'households', b.households)
FROM (
    SELECT building_id, level, array_agg(code ORDER BY share_m2 DESC, code) AS codes,
           (array_agg(community_id ORDER BY share_m2 DESC, code))[1] AS community_id,
           (array_agg(geom ORDER BY share_m2 DESC, code))[1] AS main_geom
    FROM (
        SELECT b.id AS building_id, g.level, g.code, g.community_id, g.geom,
               ST_Area(ST_Transform(ST_Intersection(b.footprint, g.geom), %(area_srid)s)) AS share_m2
        FROM grid_set g JOIN buildings_building b ON b.footprint && g.geom
        WHERE g.level = ANY(%(levels)s) AND ST_Intersects(b.footprint, g.geom)
          AND NOT ST_CoveredBy(b.footprint, g.geom)
    ) shares
    WHERE share_m2 > 0
    GROUP BY building_id, level
) x
JOIN buildings_building b ON b.id = x.building_id
JOIN scope s ON s.id = x.community_id"""

SIZES = """
SELECT 'size_out_of_range', g.level, s.code, ARRAY[g.code], g.geom,
       jsonb_build_object('rule', r.name, 'resident', r.resident, 'households', n.households,
                          'min', r.minimum, 'max', r.maximum, 'setting', g.setting)
FROM grid_set g JOIN scope s ON s.id = g.community_id
JOIN unnest(%(rule_names)s::text[], %(rule_levels)s::int[], %(rule_settings)s::text[], %(rule_resident)s::bool[],
            %(rule_min)s::int[], %(rule_max)s::int[]) AS r(name, level, setting, resident, minimum, maximum)
  ON r.level = g.level AND (r.setting IS NULL OR r.setting = g.setting)
CROSS JOIN LATERAL (
    SELECT CASE WHEN r.resident THEN g.resident_household_count ELSE g.household_count END AS households
) n
WHERE g.level = ANY(%(levels)s) AND g.kind = %(comprehensive)s
  AND (n.households < r.minimum OR n.households > r.maximum)"""

def _validate_sql(grid_set: str) -> str:
    """The whole validation as one statement over `grid_set` (current or proposed grids)."""
    return f"""
WITH {SCOPE}, {grid_set}, {CONTAINERS},
problems (kind, level, community_code, grid_codes, geom, detail) AS (
    {GAPS}
    UNION ALL {OVERLAPS}
    UNION ALL {OUTSIDE_PARENT}
    UNION ALL {OUTSIDE_COMMUNITY}
    UNION ALL {BUILDING_CUTS}
    UNION ALL {SIZES}
)
SELECT kind, level, community_code, grid_codes, ST_Area(metric), ST_Perimeter(metric),
       ST_AsBinary(ST_PointOnSurface(geom)), ST_AsBinary(geom), detail
FROM problems CROSS JOIN LATERAL (SELECT ST_Transform(geom, %(area_srid)s) AS metric) m
WHERE NOT ST_IsEmpty(geom)"""


GROUPS = f"""
WITH {SCOPE}, {CURRENT_GRIDS}, {CONTAINERS}
SELECT coalesce(c.parent_code, c.community_code), c.community_code, ST_AsBinary(c.geom), m.codes, m.kinds, m.geoms
FROM containers c
CROSS JOIN LATERAL (
    SELECT array_agg(m.code ORDER BY m.code) AS codes, array_agg(m.kind ORDER BY m.code) AS kinds,
           array_agg(ST_AsBinary(m.geom) ORDER BY m.code) AS geoms
    FROM grid_set m WHERE {MEMBER_OF_CONTAINER}
) m
WHERE m.codes IS NOT NULL
ORDER BY 1"""


def _base_params(area: Area, levels: list[int]) -> dict[str, Any]:
    return {
        "prefix": Area.code_prefix(area.code) + "%",
        "community_kinds": list(Area.COMMUNITY_KINDS),
        "levels": levels,
        "srid": STORAGE_SRID,
        "area_srid": settings.GEOGRID_AREA_SRID,
    }


def _levels(level: int | None) -> list[int]:
    if level is None:
        return list(Grid.Level.values)
    if level not in Grid.Level.values:
        raise ValueError(f"网格层级只能是 {Grid.Level.values} / no such grid level: {level}")
    return [level]


def validate_coverage(
    area_code: str, level: int | None = None, *, proposed: Mapping[str, GEOSGeometry] | None = None
) -> CoverageReport:
    """Every coverage problem of the grids in the area (a community, or every community under a street or
    county) at one level or all of them. Raises `Area.DoesNotExist` for an unknown code, `ValueError` for
    an unknown level.

    `proposed` (grid code → geometry in EPSG:4490) validates the grids as if they had those
    geometries, for the repair preview. Nothing is written either way.
    """
    area = Area.objects.get(code=area_code)
    rules = rules_for(area)
    levels = _levels(level)
    size_rules = rules.size_rules()
    params = _base_params(area, levels) | {
        "exclusive_may_overlap": rules.exclusive_may_overlap,
        "comprehensive": Grid.Kind.COMPREHENSIVE.value,
        "rule_names": [r.name for r in size_rules],
        "rule_levels": [r.level for r in size_rules],
        "rule_settings": [r.setting for r in size_rules],
        "rule_resident": [r.counts_resident for r in size_rules],
        "rule_min": [r.minimum for r in size_rules],
        "rule_max": [r.maximum for r in size_rules],
    }
    if proposed is not None:
        params |= {"proposed_codes": list(proposed), "proposed_wkb": [bytes(g.wkb) for g in proposed.values()]}
    sql = _validate_sql(CURRENT_GRIDS if proposed is None else PROPOSED_GRIDS)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    problems = [_problem(row, rules) for row in rows]
    problems.sort(key=lambda p: (SEVERITY_ORDER.index(p.severity), p.level, KIND_ORDER.index(p.kind),
                                 p.community_code, p.grid_codes, -p.area_m2))
    return CoverageReport(area.code, area.name, tuple(levels), rules, tuple(problems))


def _problem(row: tuple, rules: SizingRules) -> Problem:
    kind, level, community_code, codes, area_m2, perimeter_m, point_wkb, geom_wkb, detail = row
    kind = ProblemKind(kind)
    mean_width_m = 2 * area_m2 / perimeter_m if perimeter_m else 0.0
    if kind == ProblemKind.SIZE_OUT_OF_RANGE:
        severity = Severity.WARNING
    elif area_m2 < rules.sliver_tolerance_m2 or mean_width_m < rules.sliver_width_m:
        severity = Severity.SLIVER
    else:
        severity = Severity.ERROR
    return Problem(
        kind=kind, severity=severity, level=level, community_code=community_code, grid_codes=tuple(codes),
        area_m2=area_m2, mean_width_m=mean_width_m, location=GEOSGeometry(memoryview(point_wkb), srid=STORAGE_SRID),
        geometry=GEOSGeometry(memoryview(geom_wkb), srid=STORAGE_SRID),
        detail={k: v for k, v in json.loads(detail).items() if v is not None},
    )


def coverage_groups(area_code: str, level: int) -> list[CoverageGroup]:
    """The groups of grids at `level` that must each tile their container, for the repair preview."""
    area = Area.objects.get(code=area_code)
    with connection.cursor() as cursor:
        cursor.execute(GROUPS, _base_params(area, _levels(level)))
        rows = cursor.fetchall()
    return [
        CoverageGroup(
            container_code=container_code, community_code=community_code, level=level,
            container=shapely.from_wkb(bytes(container)), codes=tuple(codes), kinds=tuple(kinds),
            geoms=tuple(shapely.from_wkb([bytes(g) for g in geoms])),
        )
        for container_code, community_code, container, codes, kinds, geoms in rows
    ]
