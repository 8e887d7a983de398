"""Deterministic generator of the demo town: 城关街道 in 三穗县 (Guizhou), at real coordinates, and east of it a
small second street, 武笔街道 (section 9 of the builder), so that scoping across streets can be tested.

Pure: shapely, numpy, pyproj and rasterio's Affine, no Django. `generate_town()` returns a `Town`
of plain dataclasses: geometries are shapely objects in CGCS2000 (EPSG:4490) and choice fields hold the
string values the models use (`Grid.Kind`, `Building.Use`, ...). `geogrid.demo.services` loads it.

How the geometry is built, and why:

1. Everything is drawn in metres (CGCS2000 / 3-degree GK CM 108E, EPSG:4545) in a frame centred on the
   town, and projected to EPSG:4490 only at the very end.
2. Every grid of every level is made of faces of ONE noded line arrangement (Voronoi edges of grid seeds,
   the street outline, facility rectangles, the estate's cut lines), so neighbouring grids share their
   edges vertex for vertex. Communities, the street and parent grids are coverage unions of those faces:
   they consist of the very same vertices, so the database's containment checks hold exactly.
3. A smooth warp, zero in the urban core (straight streets, rectangular compounds) and growing towards
   the periphery, bends the straight Voronoi edges into winding rural roads. It depends on the point only
   and runs once per distinct vertex, so shared vertices stay bit-identical.
4. Roads are the shared grid edges: grid boundaries are road centre lines by construction. Buildings keep
   a clearance from every grid boundary, so no footprint is cut by a boundary or stands on a road.
5. Projection to EPSG:4490 and rounding to 1e-7° (about 1 cm) run once per distinct vertex over all
   geometries together; the result is checked (validity, exact coverages, footprints inside their grids)
   before it is returned.
"""
from __future__ import annotations

import heapq
import math
import zlib
from collections.abc import Callable, Iterable
from typing import NamedTuple
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import shapely
from rasterio.transform import Affine
from pyproj import Transformer
from shapely import LineString, MultiPolygon, Point, Polygon, box
from shapely.geometry.base import BaseGeometry

SEED = 20261101
CENTRE_LONLAT = (108.68, 26.95)
STORAGE_EPSG = 4490  # CGCS2000 geographic
METRIC_EPSG = 4545  # CGCS2000 / 3-degree Gauss-Kruger CM 108E
PRECISION_DEG = 1e-7
# Events are reported over the EVENT_WINDOW_DAYS before this fixed instant (never "now": determinism).
REFERENCE_TIME = datetime(2026, 11, 1, tzinfo=ZoneInfo("Asia/Shanghai"))
EVENT_WINDOW_DAYS = 60

COUNTY_CODE, COUNTY_NAME = "522624000000", "三穗县"
STREET_CODE, STREET_NAME = "522624001000", "城关街道"
# Urban communities own the grids whose seeds lie in a 90° compass sector (0 east, 1 north, 2 west,
# 3 south); villages own the rural grids in a quadrant (0 north-east, 1 north-west, 2 south-west,
# 3 south-east). Codes follow the statistical rule: residents' committees 001.., villages from 200.
URBAN_COMMUNITIES = {1: ("522624001001", "和平社区"), 0: ("522624001002", "城东社区"),
                     3: ("522624001003", "城南社区"), 2: ("522624001004", "城西社区")}
VILLAGES = {1: ("522624001200", "八弓村"), 0: ("522624001201", "坪山村"),
            3: ("522624001202", "塘冲村"), 2: ("522624001203", "龙井村")}
# The second street, east of the first along its boundary: two communities (north, south) of three urban
# grids each, its own police station, a few tickets. It makes scoping across streets testable.
STREET2_CODE, STREET2_NAME = "522624002000", "武笔街道"
STREET2_COMMUNITIES = (("522624002001", "武笔社区"), ("522624002002", "长吉社区"))  # north, south
STREET2_EAST = 5600.0  # metres east of the centre: the second street's straight eastern edge
STREET2_ARC_DEGREES = 50.0  # it borders the first street from this bearing north of east to as far south
STREET2_ROADS = ("武笔大道", "长吉路", "民族路")  # the community border, the western and the eastern cut
STREET2_EVENTS = 18
STREETS = {STREET_CODE: STREET_NAME, STREET2_CODE: STREET2_NAME}


def street_code_of(area_code: str) -> str:
    """The street (or town) an area code lies in: its first nine digits."""
    return f"{area_code[:9]}000"

ESTATE_NAME = "和平小区"
ESTATE_SIZE = (210, 150)  # metres, axis-aligned; three columns and two rows of buildings
ESTATE_UNITS = (3, 2, 3, 2, 3, 2)  # stairwell units of buildings 1-6, north row first, west to east
UNIT_WIDTH, BUILDING_DEPTH = 14, 13

URBAN_RADII = (950.0, 800.0)  # the urban core ellipse holding urban grid seeds
URBAN_SPACING = 340.0  # between urban grid seeds
RURAL_GRIDS = 13
WARP_FREE_RADIUS, WARP_FULL_RADIUS = 1300.0, 2300.0
CLEARANCE_M = 15.0  # buildings keep this far from grid boundaries (road and river centre lines)
EVENT_COUNT = 320

URBAN_ROAD_NAMES = (
    "和平路", "新华路", "文化路", "建设路", "民主路", "团结路", "青年路", "育才路", "东门街", "西门街", "南门街",
    "北门街", "兴隆巷", "学府路", "长青路", "春风路", "光明路", "幸福路", "振兴路", "迎宾路", "滨河路", "古城路",
    "花园路", "桂花巷", "杏林巷", "顺城街", "营盘路", "书院街", "邛水路", "月亮巷", "胜利路", "向阳路", "仁和巷",
    "玉屏路", "德政街", "平安巷", "凤凰路", "朝阳路", "体育路", "广场路", "碧水巷", "锦绣路", "永安巷", "红旗路",
)
RURAL_ROAD_NAMES = (
    "杉木路", "茶园路", "竹林路", "油茶路", "松坡路", "枫香路", "稻香路", "梯田路", "龙潭路", "石门路", "鸭塘路",
    "寨坡路", "岩脚路", "高坡路", "田坝路", "桐油路", "桃花路", "冲头路", "坳上路", "水井路", "大坪路", "老寨路",
    "新寨路", "岭脚路", "核桃路", "板栗路", "凉亭路", "花坡路", "铜鼓路", "溪口路",
)
SURNAMES = "杨吴龙石潘姚张王李刘陈周黄赵罗田袁舒彭蒋邓谢胡徐向肖唐宋滕龚万曾熊梁邰欧"
GIVEN_NAME_CHARS = "明华国建军平英芳玉兰秀娟勇强伟磊敏静丽红霞涛斌刚辉健春梅林海燕萍琴波鹏飞宇洋婷雪芬兴福贵昌顺祥发和文武云成志晓永"
CHINESE_NUMERALS = "一二三四五六七八九十"


# --------------------------------------------------------------------------------------------------------
# What the generator returns
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AreaSpec:
    code: str
    name: str
    kind: str  # Area.Kind value
    parent_code: str | None
    geom: MultiPolygon


@dataclass(frozen=True)
class GridSpec:
    name: str | None  # None: named after its code once numbered (社区名 + 第N网格)
    kind: str  # Grid.Kind value
    level: int
    setting: str  # Grid.Setting value
    community_code: str
    geom: MultiPolygon
    parent: int | None = None  # index into Town.grids
    exclusive_type: str = ""


@dataclass(frozen=True)
class BuildingSpec:
    address: str
    use: str  # Building.Use value
    floors: int
    households: int
    resident_households: int
    population: int
    footprint: Polygon
    point: Point  # point on surface of the footprint
    grid: int  # index into Town.grids of the lowest-level grid holding it


@dataclass(frozen=True)
class RoadSpec:
    name: str
    kind: str  # Road.Kind value
    geom: LineString
    street_code: str = STREET_CODE


@dataclass(frozen=True)
class WaterSpec:
    name: str
    geom: MultiPolygon
    street_code: str = STREET_CODE


@dataclass(frozen=True)
class DepartmentSpec:
    code: str
    name: str
    tier: str  # Department.Tier value
    area_code: str


@dataclass(frozen=True)
class BusinessGridSpec:
    department_code: str
    code: str
    name: str
    geom: MultiPolygon


@dataclass(frozen=True)
class StaffSpec:
    name: str
    role: str  # StaffMember.Role value
    phone: str
    grids: tuple[int, ...]  # indices into Town.grids
    post: str = ""
    department_code: str | None = None


@dataclass(frozen=True)
class StationSpec:
    kind: str  # ServiceStation.Kind value
    name: str
    point: Point
    address: str
    opening_hours: str
    community_code: str


@dataclass(frozen=True)
class CategorySpec:
    code: str
    name: str
    parent_code: str | None


@dataclass(frozen=True)
class EventSpec:
    point: Point
    category_code: str
    description: str
    reported_at: datetime
    status: str  # Event.Status value
    grid: int  # index into Town.grids of the lowest-level grid containing the point


@dataclass(frozen=True)
class Dem:
    """Elevations (metres, float32, north-up rows) on a ~30 m lon/lat grid in EPSG:4490."""

    elevation: np.ndarray
    transform: Affine
    crs: str = f"EPSG:{STORAGE_EPSG}"


@dataclass(frozen=True)
class Town:
    areas: list[AreaSpec]
    grids: list[GridSpec]
    buildings: list[BuildingSpec]
    roads: list[RoadSpec]
    waters: list[WaterSpec]
    departments: list[DepartmentSpec]
    business_grids: list[BusinessGridSpec]
    staff: list[StaffSpec]
    stations: list[StationSpec]
    categories: list[CategorySpec]
    events: list[EventSpec]
    dem: Dem


def generate_town(seed: int = SEED) -> Town:
    """The demo town, identical for identical seeds."""
    return _TownBuilder(seed).build()


# --------------------------------------------------------------------------------------------------------
# Fixed content: facilities, event categories
# --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _FacilityBuilding:
    label: str
    use: str
    floors: int
    size: tuple[float, float]  # east-west, north-south metres
    offset: tuple[float, float]  # from the facility centre


@dataclass(frozen=True)
class _Facility:
    """An exclusive grid: an axis-aligned rectangle carved out of an urban grid near `target`."""

    name: str
    exclusive_type: str
    size: tuple[int, int]
    target: tuple[float, float]
    buildings: tuple[_FacilityBuilding, ...]


FACILITIES = (
    _Facility("街道办事处大院", "机关", (110, 90), (0, 0), (
        _FacilityBuilding("办公楼", "public", 6, (50, 18), (0, 15)),
        _FacilityBuilding("附属楼", "public", 3, (30, 14), (-20, -22)),
    )),
    _Facility("农贸市场", "市场", (120, 90), (450, -350), (
        _FacilityBuilding("交易大棚", "commercial", 1, (70, 40), (0, 10)),
        _FacilityBuilding("沿街商铺", "commercial", 2, (60, 12), (0, -28)),
    )),
    _Facility("第一中学", "学校", (200, 150), (-600, 150), (
        _FacilityBuilding("1号教学楼", "public", 5, (60, 16), (-45, 40)),
        _FacilityBuilding("2号教学楼", "public", 5, (60, 16), (-45, 0)),
        _FacilityBuilding("学生宿舍", "public", 6, (50, 14), (-45, -45)),
        _FacilityBuilding("食堂", "public", 2, (30, 20), (60, 45)),
    )),
)
ESTATE_TARGET = (0.0, 600.0)

class _EventKind(NamedTuple):
    """A leaf event category with a description template ({place}: an address) and how often it is
    reported in urban and in rural grids."""

    code: str
    name: str
    template: str
    urban_weight: int
    rural_weight: int


# (code, name, leaf categories): the default tree, in the style of CJ/T 214 and GB/T 31000.
EVENT_CATEGORIES = (
    ("01", "市容环境", (
        _EventKind("0101", "暴露垃圾", "{place}附近有生活垃圾堆放未及时清运，气味较大。", 9, 3),
        _EventKind("0102", "占道经营", "{place}附近有流动摊贩占道经营，影响行人通行。", 7, 1),
        _EventKind("0103", "乱堆物料", "{place}附近人行道上堆放建筑材料，占用通道。", 4, 2),
    )),
    ("02", "宣传广告", (
        _EventKind("0201", "违规张贴小广告", "{place}附近墙面、电杆上张贴小广告。", 4, 1),
    )),
    ("03", "街面秩序", (
        _EventKind("0301", "机动车乱停放", "{place}附近机动车占用人行道停放。", 6, 1),
        _EventKind("0302", "无照经营游商", "{place}附近有无照游商沿街叫卖。", 3, 1),
    )),
    ("04", "施工管理", (
        _EventKind("0401", "施工扰民", "{place}附近工地夜间施工，噪音扰民。", 3, 1),
        _EventKind("0402", "道路破损", "{place}附近路面破损坑洼，存在通行安全隐患。", 3, 3),
    )),
    ("05", "突发事件", (
        _EventKind("0501", "道路积水", "{place}附近强降雨后道路积水较深。", 2, 1),
        _EventKind("0502", "地质灾害隐患", "{place}附近山体边坡出现裂缝，有滑坡风险。", 0, 3),
    )),
    ("06", "矛盾纠纷", (
        _EventKind("0601", "邻里纠纷", "{place}住户之间因噪音、漏水等问题发生纠纷。", 3, 3),
        _EventKind("0602", "土地权属纠纷", "{place}村民之间因土地边界发生争议。", 0, 3),
    )),
    ("07", "治安隐患", (
        _EventKind("0701", "消防通道堵塞", "{place}附近消防通道被杂物、车辆堵塞。", 4, 1),
        _EventKind("0702", "电动车违规充电", "{place}楼道内有电动车飞线充电。", 4, 1),
    )),
)

def _leaves() -> list[_EventKind]:
    return [leaf for _, _, children in EVENT_CATEGORIES for leaf in children]


# Event status by age: (max age in days, [(status, weight)]), the first matching bucket applies.
EVENT_STATUS_BY_AGE = (
    (2, (("reported", 35), ("accepted", 25), ("dispatched", 25), ("returned", 15))),
    (7, (("dispatched", 20), ("handling", 35), ("fed_back", 20), ("verifying", 15), ("closed", 10))),
    (20, (("handling", 15), ("fed_back", 10), ("verifying", 10), ("closed", 65))),
    (EVENT_WINDOW_DAYS, (("closed", 92), ("handling", 5), ("returned", 3))),
)

@dataclass(frozen=True)
class DepartmentPlan:
    """A department and how it drew its business grids: `zones` groups of adjacent level-1 grids."""

    code: str
    name: str
    zones: int
    urban_only: bool  # covers the urban communities only
    grid_code_prefix: str
    grid_name_pattern: str  # {n}: Chinese numeral


DEPARTMENTS = (
    DepartmentPlan("522624001-PCS", "城关派出所", 8, False, "JWQ", "第{n}警务区"),
    DepartmentPlan("522624001-CGZF", "城市管理执法中队", 6, True, "ZRQ", "城管第{n}责任区"),
    DepartmentPlan("522624001-SJS", "市场监督管理所", 5, False, "JGPQ", "市场监管第{n}片区"),
)
STREET2_POLICE = DepartmentPlan("522624002-PCS", "武笔派出所", 2, False, "WBJWQ", "武笔第{n}警务区")


# --------------------------------------------------------------------------------------------------------
# Geometry helpers
# --------------------------------------------------------------------------------------------------------


def _require(condition: bool, message: str) -> None:
    """Invariants of the generator; unlike `assert` they survive `python -O`."""
    if not condition:
        raise RuntimeError(f"demo town generator: {message}")


def _per_vertex(fn: Callable[[np.ndarray], np.ndarray]) -> Callable[[np.ndarray], np.ndarray]:
    """Run a coordinate function once per distinct vertex: a vertex shared by neighbouring polygons then
    gets a bit-identical result in each of them, whatever the array position or SIMD path."""

    def apply(coords: np.ndarray) -> np.ndarray:
        unique, inverse = np.unique(coords, axis=0, return_inverse=True)
        return fn(unique)[inverse.reshape(-1)]

    return apply


@dataclass(frozen=True)
class _Waves:
    """A smooth 2-D displacement field made of a few plane sine waves per axis.

    Its gradient is at most sum(amplitude * 2π / wavelength); kept well below 1, a warp by it cannot fold.
    """

    amplitudes: np.ndarray  # (2, n)
    wavevectors: np.ndarray  # (2, n, 2)
    phases: np.ndarray  # (2, n)

    @classmethod
    def random(cls, rng: np.random.Generator, amplitude: float, wavelengths: Iterable[float]) -> _Waves:
        k = 2 * np.pi / np.asarray(tuple(wavelengths), dtype=float)
        directions = rng.uniform(0, 2 * np.pi, (2, k.size))
        weights = rng.uniform(0.5, 1.0, (2, k.size))
        return cls(
            amplitudes=amplitude * weights / weights.sum(axis=1, keepdims=True),
            wavevectors=np.stack([np.cos(directions), np.sin(directions)], axis=-1) * k[None, :, None],
            phases=rng.uniform(0, 2 * np.pi, (2, k.size)),
        )

    def displacement(self, xy: np.ndarray) -> np.ndarray:
        return np.column_stack([
            (np.sin(xy @ self.wavevectors[axis].T + self.phases[axis]) * self.amplitudes[axis]).sum(axis=1)
            for axis in (0, 1)
        ])


def _smoothstep(t: np.ndarray) -> np.ndarray:
    t = np.clip(t, 0.0, 1.0)
    return t * t * (3 - 2 * t)


def _rectangles(centres: np.ndarray, sizes: np.ndarray, angles: np.ndarray) -> np.ndarray:
    """Rectangles from centres (n, 2), sizes (n, 2: along the angle, across it) and angles (n,) in radians."""
    corners = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1], [-1, -1]], dtype=float) / 2
    local = corners[None] * sizes[:, None, :]
    cos, sin = np.cos(angles)[:, None], np.sin(angles)[:, None]
    x = local[..., 0] * cos - local[..., 1] * sin + centres[:, :1]
    y = local[..., 0] * sin + local[..., 1] * cos + centres[:, 1:]
    return shapely.polygons(np.stack([x, y], axis=-1))


def _lattice(centre: np.ndarray, angle: float, step: tuple[float, float], radius: float) -> np.ndarray:
    """Points of a rectangular lattice through `centre`, rotated by `angle`, within `radius` of the centre."""
    nx, ny = math.ceil(radius / step[0]), math.ceil(radius / step[1])
    i, j = np.meshgrid(np.arange(-nx, nx + 1), np.arange(-ny, ny + 1))
    local = np.column_stack([i.ravel() * step[0], j.ravel() * step[1]])
    local = local[np.hypot(local[:, 0], local[:, 1]) <= radius]
    cos, sin = math.cos(angle), math.sin(angle)
    return np.column_stack([local[:, 0] * cos - local[:, 1] * sin, local[:, 0] * sin + local[:, 1] * cos]) + centre


def _orientation(polygon: Polygon) -> float:
    """Angle of the long side of the minimum rotated rectangle: buildings line up with their block."""
    ring = np.asarray(shapely.oriented_envelope(polygon).exterior.coords)
    sides = ring[1:3] - ring[0:2]
    longest = sides[np.argmax(np.hypot(sides[:, 0], sides[:, 1]))]
    return math.atan2(longest[1], longest[0])


def _sample_points(rng: np.random.Generator, polygon: Polygon, n: int) -> np.ndarray:
    """n points uniformly inside the polygon (rejection sampling in its bounding box)."""
    minx, miny, maxx, maxy = polygon.bounds
    shapely.prepare(polygon)
    found: list[np.ndarray] = []
    count = 0
    while count < n:
        xy = rng.uniform((minx, miny), (maxx, maxy), (64, 2))
        inside = xy[shapely.contains_xy(polygon, xy[:, 0], xy[:, 1])]
        found.append(inside)
        count += len(inside)
    return np.concatenate(found)[:n]


def _single_polygon(geom: BaseGeometry, what: str) -> Polygon:
    _require(isinstance(geom, Polygon) and not geom.is_empty, f"{what} is not a single polygon")
    return geom  # type: ignore[return-value]


def _polygons_only(geom: BaseGeometry) -> MultiPolygon:
    return MultiPolygon([part for part in shapely.get_parts(geom) if isinstance(part, Polygon) and part.area > 0])


def _extend(line: LineString, length: float) -> LineString:
    """The line prolonged at both ends along its end segments (roads and the river run on out of the street)."""
    coords = np.asarray(line.coords)
    start = coords[0] - coords[1]
    end = coords[-1] - coords[-2]
    return LineString([
        coords[0] + start / np.hypot(*start) * length, *coords, coords[-1] + end / np.hypot(*end) * length,
    ])


def _shortest_path(edges: list[tuple[tuple, tuple, float]], start: tuple, end: tuple) -> list[int]:
    """Dijkstra over undirected edges (node, node, cost); returns the indices of the edges on the path."""
    adjacency: dict[tuple, list[tuple[tuple, int, float]]] = {}
    for index, (a, b, cost) in enumerate(edges):
        adjacency.setdefault(a, []).append((b, index, cost))
        adjacency.setdefault(b, []).append((a, index, cost))
    best = {start: 0.0}
    previous: dict[tuple, tuple[tuple, int]] = {}
    queue = [(0.0, start)]
    while queue:
        cost, node = heapq.heappop(queue)
        if node == end:
            break
        if cost > best[node]:
            continue
        for neighbour, index, step in adjacency.get(node, []):
            if cost + step < best.get(neighbour, math.inf):
                best[neighbour] = cost + step
                previous[neighbour] = (node, index)
                heapq.heappush(queue, (cost + step, neighbour))
    _require(end in previous, "no path between the two street-boundary nodes")
    path, node = [], end
    while node != start:
        node, index = previous[node]
        path.append(index)
    return path[::-1]


def _strokes(pieces: list[LineString]) -> list[list[int]]:
    """Group road pieces into named roads ("strokes"): at every junction the two pieces that continue each
    other most straightly (deflection under 45°) belong to the same road."""
    ends: dict[tuple, list[tuple[int, int, np.ndarray]]] = {}
    for index, piece in enumerate(pieces):
        for end in (0, 1):
            node = piece.coords[0] if end == 0 else piece.coords[-1]
            towards = piece.interpolate(min(30.0, piece.length / 2) if end == 0 else max(0.0, piece.length - 30.0))
            direction = np.asarray(towards.coords[0]) - np.asarray(node)
            ends.setdefault(node, []).append((index, end, direction / max(np.hypot(*direction), 1e-9)))
    parent = list(range(len(pieces)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for incident in ends.values():
        pairs = sorted(
            (float(a[2] @ b[2]), ia, ib)
            for ia, a in enumerate(incident) for ib, b in enumerate(incident) if ia < ib and a[0] != b[0]
        )
        used: set[int] = set()
        for dot, ia, ib in pairs:
            if dot < -0.7 and ia not in used and ib not in used:
                used.update((ia, ib))
                parent[root(incident[ia][0])] = root(incident[ib][0])
    groups: dict[int, list[int]] = {}
    for index in range(len(pieces)):
        groups.setdefault(root(index), []).append(index)
    return list(groups.values())


def _house_numbers(rng: np.random.Generator, streets: list[RoadSpec], points: list[Point], prefix: str) -> list[str]:
    """An address for each point: the nearest street and a house number. Numbers grow along the street, odd
    on the left and even on the right, with gaps as in real numbering."""
    nearest = shapely.STRtree([r.geom for r in streets]).nearest(points)
    numbers: list[str] = [""] * len(points)
    for road in sorted(set(nearest.tolist())):
        line = streets[road].geom
        members = [i for i in range(len(points)) if nearest[i] == road]
        along = [line.project(points[i]) for i in members]
        counters = {True: -1, False: 0}
        for i, t in sorted(zip(members, along), key=lambda m: m[1]):
            a, b = line.interpolate(t), line.interpolate(min(t + 1.0, line.length))
            left = (b.x - a.x) * (points[i].y - a.y) - (b.y - a.y) * (points[i].x - a.x) > 0
            counters[left] += 2 * int(rng.integers(1, 4))
            numbers[i] = f"{prefix}{streets[road].name}{counters[left]}号"
    return numbers


def _residents(rng: np.random.Generator, buildings: Iterable[_Building]) -> None:
    """Resident households and population of each building with households."""
    for building in buildings:
        if building.households == 1:  # a rural house; about one in seven stands empty (外出务工)
            building.resident_households = int(rng.random() < 0.85)
            building.population = building.resident_households * int(rng.choice([2, 3, 3, 4]))
        elif building.households:
            building.resident_households = round(building.households * rng.uniform(0.8, 0.97))
            building.population = round(building.resident_households * rng.uniform(2.5, 3.2))


# --------------------------------------------------------------------------------------------------------
# The builder
# --------------------------------------------------------------------------------------------------------


@dataclass
class _Grid:
    """A grid while it is built, in metres."""

    name: str | None
    kind: str
    level: int
    setting: str
    exclusive_type: str = ""
    parent: int | None = None
    seed: int | None = None  # the Voronoi seed of a comprehensive level-1 grid
    community: str = ""
    faces: list[Polygon] = field(default_factory=list)
    geom: Polygon | None = None


@dataclass
class _Building:
    use: str
    floors: int
    households: int
    footprint: Polygon
    grid: int
    address: str = ""
    resident_households: int = 0
    population: int = 0


@dataclass
class _Piece:
    """A stretch of boundary shared by two level-1 grids, from junction to junction: a road or the river."""

    line: LineString
    grids: tuple[int, int]


@dataclass(frozen=True)
class _SecondStreet:
    """What the second street adds to the town's lists (its grids, buildings and roads go straight onto the
    builder's lists, after the first street's)."""

    areas: list[AreaSpec]
    departments: list[DepartmentSpec]
    business_grids: list[BusinessGridSpec]
    staff: list[StaffSpec]
    events: list[EventSpec]


class _TownBuilder:
    """Builds the town step by step in metres; each step leaves on `self` what later steps use."""

    outline: Polygon  # the street as first drawn, before the warp
    seeds: np.ndarray  # Voronoi seeds of comprehensive level-1 grids: urban ones first
    urban_seed_count: int
    outline_harmonics: list[tuple[int, float, float]]
    facility_rects: list[Polygon]
    estate_paths: list[LineString]
    estate_units: list[tuple[int, int, Polygon, int]]  # building no., unit no., footprint, level-3 grid
    areas: list[AreaSpec]
    community_names: dict[str, str]
    community_geoms: dict[str, Polygon]
    street: Polygon
    street2: Polygon
    pieces: list[_Piece]
    neighbours: dict[int, set[int]]  # level-1 grids sharing a boundary line
    river_pieces: set[int]
    river: LineString  # centre line, prolonged beyond the street
    hamlets: dict[str, list[tuple[int, np.ndarray]]]  # village code -> [(grid, centre)] in 组 order
    facility_buildings: list[list[int]]  # per facility, its buildings

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.to_metric = Transformer.from_crs(STORAGE_EPSG, METRIC_EPSG, always_xy=True)
        self.to_storage = Transformer.from_crs(METRIC_EPSG, STORAGE_EPSG, always_xy=True)
        self.origin = np.array(self.to_metric.transform(*CENTRE_LONLAT))
        self.grids: list[_Grid] = []
        self.buildings: list[_Building] = []
        self.roads: list[RoadSpec] = []
        self.names_used: set[str] = set()
        self.phones_used: set[str] = set()

    def rng(self, purpose: str) -> np.random.Generator:
        """One random stream per purpose, so changing one part of the town leaves the others as they were."""
        return np.random.default_rng([self.seed, zlib.crc32(purpose.encode())])

    # ---- orchestration ---------------------------------------------------------------------------------

    def build(self) -> Town:
        self._partition()
        self._warp()
        self._areas()
        self._road_network()
        self._buildings()
        self._addresses()
        staff = self._staff()
        stations = self._stations()
        categories, events = self._events()
        departments, business_grids = self._departments()
        second = self._second_street()
        town = Town(
            areas=self.areas + second.areas,
            grids=[
                GridSpec(name=g.name, kind=g.kind, level=g.level, setting=g.setting, community_code=g.community,
                         geom=MultiPolygon([g.geom]), parent=g.parent, exclusive_type=g.exclusive_type)
                for g in self.grids
            ],
            buildings=[
                BuildingSpec(address=b.address, use=b.use, floors=b.floors, households=b.households,
                             resident_households=b.resident_households, population=b.population,
                             footprint=b.footprint, point=b.footprint.point_on_surface(), grid=b.grid)
                for b in self.buildings
            ],
            roads=self.roads,
            waters=[WaterSpec(name="八弓河", geom=_polygons_only(self.river.buffer(10.0)))],
            departments=departments + second.departments,
            business_grids=business_grids + second.business_grids,
            staff=staff + second.staff,
            stations=stations,
            categories=categories,
            events=events + second.events,
            dem=self._dem(),
        )
        town = self._project(town)
        _check(town)
        return town

    # ---- 1. the partition: every grid as faces of one noded arrangement --------------------------------

    def _partition(self) -> None:
        rng = self.rng("partition")
        self.outline = self._street_outline(rng)
        urban = self._urban_seeds(rng)
        rural = self._rural_seeds(rng)
        self.seeds = np.vstack([urban, rural])
        self.urban_seed_count = len(urban)
        cells = shapely.get_parts(shapely.voronoi_polygons(
            shapely.multipoints(self.seeds), extend_to=self.outline.buffer(3000), ordered=True,
        ))
        lines = [*shapely.boundary(cells), self.outline.exterior]
        for seed in range(len(self.seeds)):
            self.grids.append(_Grid(
                name=None, kind="comprehensive", level=1, setting="urban" if seed < len(urban) else "rural",
                seed=seed,
            ))
        zones: list[tuple[Polygon, int]] = []  # (rectangle, grid) tried before the Voronoi cells
        hosts: list[int] = []
        for facility in FACILITIES:
            rect, host = self._site(cells, facility.target, facility.size, hosts)
            hosts.append(host)
            self.grids.append(_Grid(
                name=f"{facility.name}专属网格", kind="exclusive", level=1, setting="facility",
                exclusive_type=facility.exclusive_type, seed=host,
            ))
            zones.append((rect, len(self.grids) - 1))
            lines.append(rect.exterior)
        estate, host = self._site(cells, ESTATE_TARGET, ESTATE_SIZE, hosts)
        self.facility_rects = [zone for zone, _ in zones]
        lines.append(estate.exterior)
        lines.extend(self._estate_grids(estate, host, zones))
        noded = shapely.segmentize(shapely.union_all(lines), 40.0)
        faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
        inside = faces[shapely.contains(self.outline, shapely.point_on_surface(faces))]
        for face in inside:
            point = face.point_on_surface()
            owner = next((grid for zone, grid in zones if zone.contains(point)), None)
            if owner is None:
                owner = int(np.argmin(np.hypot(*(self.seeds - np.asarray(point.coords[0])).T)))
            self.grids[owner].faces.append(face)
        for index, grid in enumerate(self.grids):
            faces = grid.faces + [f for below in self._descendants(index) for f in self.grids[below].faces]
            grid.geom = _single_polygon(shapely.coverage_union_all(faces), f"grid {index}")

    def _descendants(self, index: int) -> list[int]:
        children = [i for i, g in enumerate(self.grids) if g.parent == index]
        return children + [d for child in children for d in self._descendants(child)]

    def _street_outline(self, rng: np.random.Generator) -> Polygon:
        """About 6 km x 5 km: an ellipse with a wobbly edge, star-shaped so it stays a valid polygon."""
        theta = np.linspace(0, 2 * np.pi, 180, endpoint=False)
        self.outline_harmonics = [(k, 0.09 / k * rng.uniform(0.4, 1.0), rng.uniform(0, 2 * np.pi)) for k in range(2, 8)]
        radius = self._outline_radius(theta)
        return Polygon(np.round(np.column_stack([radius * np.cos(theta), radius * np.sin(theta)])))

    def _outline_radius(self, theta: np.ndarray) -> np.ndarray:
        ellipse = 1 / np.hypot(np.cos(theta) / 3000, np.sin(theta) / 2500)
        return ellipse * (1 + sum(a * np.cos(k * theta + phase) for k, a, phase in self.outline_harmonics))

    def _urban_seeds(self, rng: np.random.Generator) -> np.ndarray:
        """A jittered hexagonal lattice filling the urban core: irregular city blocks of ~0.2 km²."""
        rows = np.arange(-4, 5)
        cols = np.arange(-5, 6)
        col, row = np.meshgrid(cols, rows)
        x = (col + (row % 2) / 2) * URBAN_SPACING
        y = row * URBAN_SPACING * math.sqrt(3) / 2
        xy = np.column_stack([x.ravel(), y.ravel()])
        xy = xy[(xy[:, 0] / URBAN_RADII[0]) ** 2 + (xy[:, 1] / URBAN_RADII[1]) ** 2 <= 1]
        return np.round(xy + rng.uniform(-0.2, 0.2, xy.shape) * URBAN_SPACING)

    def _rural_seeds(self, rng: np.random.Generator) -> np.ndarray:
        """One ring of seeds between the urban core and the street boundary: large rural grids."""
        theta = 2 * np.pi * (np.arange(RURAL_GRIDS) + 0.5 + rng.uniform(-0.15, 0.15, RURAL_GRIDS)) / RURAL_GRIDS
        radius = self._outline_radius(theta) * rng.uniform(0.52, 0.62, RURAL_GRIDS)
        return np.round(np.column_stack([radius * np.cos(theta), radius * np.sin(theta)]))

    def _site(self, cells: np.ndarray, target: tuple[float, float], size: tuple[int, int], taken: list[int]
              ) -> tuple[Polygon, int]:
        """An axis-aligned rectangle in the urban cell nearest to `target` that holds it with 40 m to spare
        (no sliver grids) and room for homes around it, inside the warp-free core (so it stays a rectangle).
        It sits at the centre of the cell's largest inscribed circle, on whole metres (exact noding)."""
        core = Point(0, 0).buffer(WARP_FREE_RADIUS - 10, quad_segs=32)
        order = np.argsort(np.hypot(*(self.seeds[: self.urban_seed_count] - np.asarray(target)).T), kind="stable")
        for seed in order:
            room = cells[seed].intersection(core).buffer(-40)
            if seed in taken or room.is_empty or cells[seed].area - size[0] * size[1] < 80_000:
                continue
            cx, cy = np.round(shapely.maximum_inscribed_circle(room, 1.0).coords[0])
            rect = box(cx - size[0] / 2, cy - size[1] / 2, cx + size[0] / 2, cy + size[1] / 2)
            if room.contains(rect):
                return rect, int(seed)
        raise RuntimeError(f"demo town generator: no urban cell can hold a {size} rectangle")

    def _estate_grids(self, estate: Polygon, host: int, zones: list[tuple[Polygon, int]]) -> list[LineString]:
        """The estate: a level-1 grid, one level-2 grid per building (three columns, two rows) and one
        level-3 grid per stairwell unit. Returns its cut lines; every end lies exactly on another line, so
        noding is exact. Registers each level-3 rectangle as a zone and each unit's footprint."""
        x0, y0, x1, y1 = estate.bounds
        cy = (y0 + y1) / 2
        columns = [x0 + i * (x1 - x0) / 3 for i in range(4)]
        self.grids.append(_Grid(name=ESTATE_NAME, kind="comprehensive", level=1, setting="estate", seed=host))
        estate_index = len(self.grids) - 1
        lines = [LineString([(x0, cy), (x1, cy)])] + [LineString([(x, y0), (x, y1)]) for x in columns[1:3]]
        self.estate_paths = list(lines)
        self.estate_units = []
        for number, units in enumerate(ESTATE_UNITS, start=1):
            row, column = divmod(number - 1, 3)
            row_y0, row_y1 = (cy, y1) if row == 0 else (y0, cy)
            cell_x0, cell_x1 = columns[column], columns[column + 1]
            bx, by = (cell_x0 + cell_x1) / 2, (row_y0 + row_y1) / 2
            self.grids.append(_Grid(name=f"{ESTATE_NAME}{number}栋", kind="comprehensive", level=2,
                                    setting="estate", parent=estate_index))
            building_index = len(self.grids) - 1
            cuts = [bx - units * UNIT_WIDTH / 2 + k * UNIT_WIDTH for k in range(units + 1)]
            lines.extend(LineString([(x, row_y0), (x, row_y1)]) for x in cuts[1:-1])
            edges = [cell_x0, *cuts[1:-1], cell_x1]
            for unit in range(units):
                self.grids.append(_Grid(name=f"{ESTATE_NAME}{number}栋{unit + 1}单元", kind="comprehensive",
                                        level=3, setting="estate", parent=building_index))
                zones.append((box(edges[unit], row_y0, edges[unit + 1], row_y1), len(self.grids) - 1))
                half_depth = BUILDING_DEPTH / 2
                footprint = box(cuts[unit] + 0.5, by - half_depth, cuts[unit + 1] - 0.5, by + half_depth)
                self.estate_units.append((number, unit + 1, footprint, len(self.grids) - 1))
        return lines

    # ---- 2. the warp ------------------------------------------------------------------------------------

    def _warp(self) -> None:
        """Bend the grid edges outside the urban core into winding roads (see the module docstring)."""
        waves = _Waves.random(self.rng("warp"), 60.0, (2200.0, 1300.0, 800.0, 420.0))

        def warp(xy: np.ndarray) -> np.ndarray:
            radius = np.hypot(xy[:, 0], xy[:, 1])
            ramp = _smoothstep((radius - WARP_FREE_RADIUS) / (WARP_FULL_RADIUS - WARP_FREE_RADIUS))
            return xy + ramp[:, None] * waves.displacement(xy)

        warped = shapely.transform(np.array([g.geom for g in self.grids], dtype=object), _per_vertex(warp))
        for grid, geom in zip(self.grids, warped):
            grid.geom = geom
            grid.faces = []

    def _community_of_seed(self, seed: int) -> str:
        x, y = self.seeds[seed]
        angle = math.atan2(y, x) % (2 * math.pi)
        if seed < self.urban_seed_count:
            return URBAN_COMMUNITIES[int(((angle + math.pi / 4) % (2 * math.pi)) // (math.pi / 2))][0]
        return VILLAGES[int(angle // (math.pi / 2))][0]

    @property
    def level1(self) -> list[int]:
        return [i for i, g in enumerate(self.grids) if g.level == 1]

    def is_rural(self, index: int) -> bool:
        return self.grids[index].setting == "rural"

    # ---- 3. areas -------------------------------------------------------------------------------------------

    def _areas(self) -> None:
        """County, street and communities. A grid belongs to the community of its Voronoi seed (children to
        their parent's), and a community is the coverage union of its level-1 grids."""
        for grid in self.grids:  # parents come before their children in the list
            if grid.seed is not None:
                grid.community = self._community_of_seed(grid.seed)
            else:
                grid.community = self.grids[grid.parent].community  # type: ignore[index]
        self.community_names = {code: name for code, name in (*URBAN_COMMUNITIES.values(), *VILLAGES.values())}
        areas = []
        self.community_geoms = {}
        for code, name in sorted(self.community_names.items()):
            members = [self.grids[i].geom for i in self.level1 if self.grids[i].community == code]
            _require(len(members) >= 2, f"{name} has fewer than two grids")
            geom = _single_polygon(shapely.coverage_union_all(members), name)
            self.community_geoms[code] = geom
            kind = "village" if code[-3:] >= "200" else "community"
            areas.append(AreaSpec(code=code, name=name, kind=kind, parent_code=STREET_CODE, geom=MultiPolygon([geom])))
        self.street = _single_polygon(shapely.coverage_union_all(list(self.community_geoms.values())), STREET_NAME)
        theta = np.linspace(0, 2 * np.pi, 90, endpoint=False)
        wobble = 1 + 0.08 * np.cos(3 * theta + 1.0) + 0.05 * np.cos(5 * theta + 2.0)
        county = Polygon(np.column_stack([16000 * wobble * np.cos(theta), 13000 * wobble * np.sin(theta) - 2000]))
        self.areas = [
            AreaSpec(code=COUNTY_CODE, name=COUNTY_NAME, kind="county", parent_code=None, geom=MultiPolygon([county])),
            AreaSpec(code=STREET_CODE, name=STREET_NAME, kind="street", parent_code=COUNTY_CODE,
                     geom=MultiPolygon([self.street])),
            *areas,
        ]

    # ---- 4. roads and the river along the shared grid edges -----------------------------------------------

    def _road_network(self) -> None:
        level1 = self.level1
        geoms = np.array([self.grids[i].geom for i in level1], dtype=object)
        tree = shapely.STRtree(geoms)
        left, right = tree.query(geoms, predicate="intersects")
        self.pieces = []
        for a, b in zip(left, right):
            if a >= b:
                continue
            shared = shapely.intersection(geoms[a].boundary, geoms[b].boundary)
            lines = [p for p in shapely.get_parts(shared) if isinstance(p, LineString)]
            if lines:
                for line in shapely.get_parts(shapely.line_merge(shapely.multilinestrings(lines))):
                    self.pieces.append(_Piece(line=line, grids=(level1[a], level1[b])))
        self.neighbours = {i: set() for i in level1}
        for piece in self.pieces:
            a, b = piece.grids
            self.neighbours[a].add(b)
            self.neighbours[b].add(a)
        edges = [(p.line.coords[0], p.line.coords[-1], p.line.length) for p in self.pieces]
        nodes = sorted({node for a, b, _ in edges for node in (a, b)})
        terminals = [node for node in nodes if self.street.exterior.distance(Point(node)) < 1e-6]
        _require(len(terminals) >= 4, "too few roads reach the street boundary")

        def path(start_key: Callable[[tuple], float], end_key: Callable[[tuple], float], factors: list[float]
                 ) -> list[int]:
            costs = [(a, b, length * factor) for (a, b, length), factor in zip(edges, factors)]
            return _shortest_path(costs, max(terminals, key=start_key), max(terminals, key=end_key))

        primary = path(lambda n: -n[0], lambda n: n[0], [1.0] * len(edges))
        taken = set(primary)
        secondary = path(lambda n: n[1], lambda n: -n[1], [1e6 if i in taken else 1.0 for i in range(len(edges))])
        taken |= set(secondary)
        border = [self.grids[p.grids[0]].community != self.grids[p.grids[1]].community for p in self.pieces]
        river = path(lambda n: n[1] - n[0], lambda n: n[0] - n[1],
                     [1e6 if i in taken else 0.35 if border[i] else 1.0 for i in range(len(edges))])
        self.river_pieces = set(river)
        self.river = _extend(self._merge(river), 1200.0)
        self.roads.append(RoadSpec(name="人民大道", kind="primary", geom=_extend(self._merge(primary), 1500.0)))
        self.roads.append(RoadSpec(name="解放路", kind="secondary", geom=_extend(self._merge(secondary), 1000.0)))
        self._named_roads([i for i in range(len(self.pieces)) if i not in taken and i not in self.river_pieces])
        for path_line in self.estate_paths:
            self.roads.append(RoadSpec(name=f"{ESTATE_NAME}内部道路", kind="path", geom=path_line))

    def _merge(self, pieces: list[int]) -> LineString:
        merged = shapely.line_merge(shapely.multilinestrings([self.pieces[i].line for i in pieces]))
        _require(isinstance(merged, LineString), "a road or river path is not one line")
        return merged  # type: ignore[return-value]

    def _named_roads(self, pieces: list[int]) -> None:
        """Name the other shared edges: strokes of straight continuation. Urban strokes are streets (the
        four longest are secondary roads), strokes touching a rural grid are village roads."""
        strokes = [[pieces[i] for i in group] for group in _strokes([self.pieces[i].line for i in pieces])]
        urban = [s for s in strokes if not any(self.is_rural(g) for i in s for g in self.pieces[i].grids)]
        rural = [s for s in strokes if s not in urban]
        urban.sort(key=lambda s: -sum(self.pieces[i].line.length for i in s))
        _require(len(urban) <= len(URBAN_ROAD_NAMES) and len(rural) <= len(RURAL_ROAD_NAMES), "too few road names")
        for rank, stroke in enumerate(urban):
            kind = "secondary" if rank < 4 else "residential"
            self._add_stroke(URBAN_ROAD_NAMES[rank], kind, stroke)
        for name, stroke in zip(RURAL_ROAD_NAMES, rural):
            self._add_stroke(name, "rural", stroke)

    def _add_stroke(self, name: str, kind: str, stroke: list[int]) -> None:
        merged = shapely.line_merge(shapely.multilinestrings([self.pieces[i].line for i in stroke]))
        for line in shapely.get_parts(merged):
            self.roads.append(RoadSpec(name=name, kind=kind, geom=line))

    # ---- 5. buildings -------------------------------------------------------------------------------------

    def _buildings(self) -> None:
        """Apartment blocks in urban grids, hamlets of houses in rural grids, units in the estate, public and
        commercial buildings in the exclusive grids. Household targets follow the seed sizing rules, except
        one urban grid (~600 households) and one rural grid (~60) that are deliberately out of range."""
        rng = self.rng("buildings")
        comprehensive = [i for i in self.level1 if self.grids[i].setting in ("urban", "rural")]
        urban = [i for i in comprehensive if not self.is_rural(i)]
        rural = [i for i in comprehensive if self.is_rural(i)]
        crowded = max(urban, key=lambda i: self.grids[i].geom.area)
        sparse = min(rural, key=lambda i: self.grids[i].geom.area)
        self.hamlets = {}
        for index in urban:
            self._urban_blocks(rng, index, 600 if index == crowded else int(rng.integers(200, 301)))
        for index in rural:
            self._rural_houses(rng, index, 60 if index == sparse else int(rng.integers(110, 291)))
        for number, unit, footprint, grid in self.estate_units:
            floors = int(rng.integers(12, 19))
            self.buildings.append(_Building(
                use="residential", floors=floors, households=2 * floors, footprint=footprint, grid=grid,
                address=f"{STREET_NAME}{ESTATE_NAME}{number}栋{unit}单元",
            ))
        self.facility_buildings = []
        for facility, rect in zip(FACILITIES, self.facility_rects):
            grid = next(i for i in self.level1 if self.grids[i].name == f"{facility.name}专属网格")
            cx, cy = rect.centroid.coords[0]
            indices = []
            for spec in facility.buildings:
                w, h = spec.size
                x, y = cx + spec.offset[0], cy + spec.offset[1]
                self.buildings.append(_Building(use=spec.use, floors=spec.floors, households=0,
                                                footprint=box(x - w / 2, y - h / 2, x + w / 2, y + h / 2), grid=grid))
                indices.append(len(self.buildings) - 1)
            self.facility_buildings.append(indices)
        _residents(rng, self.buildings)

    def _urban_blocks(self, rng: np.random.Generator, index: int, households: int,
                      avoid: BaseGeometry | None = None) -> None:
        """Apartment blocks (and sometimes a shop) for `households` in the grid, clear of its boundary and
        of the lines in `avoid` (roads and water of a neighbouring street that run on into it)."""
        grid = self.grids[index].geom
        inner = grid.buffer(-CLEARANCE_M)
        if avoid is not None:
            inner = inner.difference(avoid.buffer(CLEARANCE_M))
        shapely.prepare(inner)
        angle = _orientation(grid)
        centroid = np.asarray(grid.centroid.coords[0])
        radius = np.hypot(*(np.asarray(grid.exterior.coords) - centroid).T).max()
        # Lattice cells of 64 m x 52 m hold any block (at most 41 m x 16 m, jittered by 4 m) with room to
        # spare; of four lattice phases the one fitting most blocks is used.
        cos, sin = math.cos(angle), math.sin(angle)
        layouts = []
        for dx, dy in ((0, 0), (32, 0), (0, 26), (32, 26)):
            origin = centroid + np.array([dx * cos - dy * sin, dx * sin + dy * cos])
            points = _lattice(origin, angle, (64.0, 52.0), radius + 64)
            points = points + rng.uniform(-4, 4, points.shape)
            envelopes = _rectangles(points, np.full((len(points), 2), 44.0), np.full(len(points), angle))
            layouts.append(points[shapely.contains(inner, envelopes)])
        candidates = max(layouts, key=len)
        # Blocks front the roads: candidates near the grid edge first, with some randomness.
        priority = shapely.distance(inner.boundary, shapely.points(candidates)) + rng.uniform(0, 60, len(candidates))
        candidates = candidates[np.argsort(priority, kind="stable")]
        blocks = self._block_households(rng, households)
        shops = int(rng.random() < 0.4)
        _require(len(candidates) >= len(blocks) + shops, f"urban grid {index} cannot hold {households} households")
        for centre, block in zip(candidates, blocks):
            units = 1 if block <= 30 else 2 if block <= 56 else 3
            size = np.array([[13 * units + 2, rng.uniform(13, 16)]])
            turn = angle + (math.pi / 2 if rng.random() < 0.3 else 0.0)
            self.buildings.append(_Building(
                use="mixed" if rng.random() < 0.25 else "residential",
                floors=int(np.clip(math.ceil(block / (2 * units)), 4, 18)), households=block,
                footprint=_rectangles(centre[None], size, np.array([turn]))[0], grid=index,
            ))
        for centre in candidates[len(blocks): len(blocks) + shops]:
            shop = _rectangles(centre[None], np.array([[30.0, 24.0]]), np.array([angle]))[0]
            self.buildings.append(_Building(use="commercial", floors=int(rng.integers(2, 5)), households=0,
                                            footprint=shop, grid=index))

    @staticmethod
    def _block_households(rng: np.random.Generator, total: int) -> list[int]:
        """Split a grid's households into apartment blocks of 20-80 households each."""
        count = math.ceil(total / 50)
        blocks = rng.multinomial(total - 20 * count, np.full(count, 1 / count)) + 20
        _require(bool(blocks.max() <= 80), "an apartment block would exceed 80 households")
        return [int(b) for b in blocks]

    def _rural_houses(self, rng: np.random.Generator, index: int, households: int) -> None:
        """Houses (one household each) in hamlets (组) of compact lattices, each reached by a road."""
        village = self.grids[index].community
        grid = self.grids[index].geom
        free = grid.buffer(-CLEARANCE_M)
        count = math.ceil(households / 90)
        sites = self._hamlet_sites(rng, free.buffer(-60), count)
        sizes = rng.multinomial(households - 15 * len(sites), np.full(len(sites), 1 / len(sites))) + 15
        road_lines = [p.line for n, p in enumerate(self.pieces) if index in p.grids and n not in self.river_pieces]
        roads = shapely.union_all(road_lines) if road_lines else grid.exterior
        for centre, size in zip(sites, sizes):
            self.hamlets.setdefault(village, []).append((index, centre))
            group = len(self.hamlets[village])
            access = shapely.shortest_line(Point(centre), roads)
            if not grid.buffer(0.5).contains(access):
                access = shapely.shortest_line(Point(centre), grid.exterior)
            self.roads.append(RoadSpec(name=f"{self.community_names[village]}{group}组通组路", kind="rural", geom=access))
            free = free.difference(access.buffer(7.0))
            shapely.prepare(free)
            angle = float(rng.uniform(0, math.pi))
            radius = math.sqrt(size * 24 * 21 / math.pi) * 2 + 40
            spots = _lattice(centre, angle, (24.0, 21.0), radius)
            spots = spots + rng.uniform(-2.5, 2.5, spots.shape)
            sizes_m = np.column_stack([rng.uniform(10, 13, len(spots)), rng.uniform(9, 11, len(spots))])
            houses = _rectangles(spots, sizes_m, angle + rng.uniform(-0.1, 0.1, len(spots)))
            ok = shapely.contains(free, houses)
            houses, spots = houses[ok], spots[ok]
            _require(len(houses) >= size, f"rural grid {index} cannot hold a hamlet of {size} houses")
            score = np.hypot(*(spots - centre).T) * rng.uniform(1.0, 1.6, len(spots))
            chosen = houses[np.argsort(score, kind="stable")[:size]]
            for number, house in enumerate(chosen, start=1):
                self.buildings.append(_Building(
                    use="residential", floors=int(rng.choice([1, 2, 2, 3])), households=1, footprint=house, grid=index,
                    address=f"{STREET_NAME}{self.community_names[village]}{group}组{number}号",
                ))
            free = free.difference(shapely.union_all(chosen).buffer(6.0))

    @staticmethod
    def _hamlet_sites(rng: np.random.Generator, area: BaseGeometry, count: int) -> list[np.ndarray]:
        """Hamlet centres inside the area, at least 450 m apart (fewer hamlets if they do not fit)."""
        polygon = max(shapely.get_parts(area), key=lambda p: p.area)
        sites: list[np.ndarray] = []
        for point in _sample_points(rng, polygon, 200):
            if len(sites) == count:
                break
            if all(np.hypot(*(point - s)) >= 450 for s in sites):
                sites.append(point)
        _require(bool(sites), "no room for a hamlet")
        return sites

    # ---- 6. addresses -------------------------------------------------------------------------------------

    def _addresses(self) -> None:
        """Urban buildings and facilities get the nearest street and a house number: numbers grow along the
        street, odd on the left and even on the right, with gaps as in real numbering."""
        rng = self.rng("addresses")
        streets = [r for r in self.roads if r.kind in ("primary", "secondary", "residential")]
        in_facility = {i for indices in self.facility_buildings for i in indices}
        facility_points = [self.buildings[indices[0]].footprint.centroid for indices in self.facility_buildings]
        targets = [b for i, b in enumerate(self.buildings) if not b.address and i not in in_facility]
        points = [b.footprint.centroid for b in targets] + facility_points
        numbers = _house_numbers(rng, streets, points, STREET_NAME)
        for building, number in zip(targets, numbers):
            building.address = number
        for facility, indices, number in zip(FACILITIES, self.facility_buildings, numbers[len(targets):]):
            for index, spec in zip(indices, facility.buildings):
                self.buildings[index].address = f"{number}{facility.name}{spec.label}"

    # ---- 7. people, stations, events --------------------------------------------------------------------

    def _person(self, rng: np.random.Generator) -> tuple[str, str]:
        """A new unique Chinese name and 11-digit mobile number."""
        while True:
            given = "".join(rng.choice(list(GIVEN_NAME_CHARS), size=int(rng.choice([1, 2, 2]))))
            name = str(rng.choice(list(SURNAMES))) + given
            if name not in self.names_used:
                break
        while True:
            phone = f"{rng.choice(['13', '15', '18'])}{int(rng.integers(0, 10**9)):09d}"
            if phone not in self.phones_used:
                break
        self.names_used.add(name)
        self.phones_used.add(phone)
        return name, phone

    def _households_of(self, index: int) -> int:
        below = {index, *self._descendants(index)}
        return sum(b.households for b in self.buildings if b.grid in below)

    def _staff(self) -> list[StaffSpec]:
        """Per level-1 grid a 网格长 and about one 专职网格员 per 100 households (paired A/B posts), part-time
        workers in some grids, a 网格指导员 per community, department front-line staff serving several
        grids, and 联户长 for the estate's buildings and a few rural grids."""
        rng = self.rng("staff")
        staff: list[StaffSpec] = []
        add = self._staff_adder(rng, staff)

        for index in self.level1:
            self._grid_staff(rng, add, index)
        for code in sorted(self.community_geoms):
            add("supervisor", [i for i in self.level1 if self.grids[i].community == code])
        urban_codes = [code for code, _ in URBAN_COMMUNITIES.values()]
        for n, department in enumerate(DEPARTMENTS):
            for k in range(2):  # two front-line staff per department, each serving an urban community
                community = sorted(urban_codes)[(2 * n + k) % len(urban_codes)]
                add("department", [i for i in self.level1 if self.grids[i].community == community],
                    department=department.code)
        for index, grid in enumerate(self.grids):
            if grid.level == 2:
                add("household_head", [index])
        for index in [i for i in self.level1 if self.is_rural(i)][:3]:
            for _ in range(3):
                add("household_head", [index])
        return staff

    def _staff_adder(self, rng: np.random.Generator, staff: list[StaffSpec]) -> Callable[..., None]:
        """`add(role, grids, post="", department=None)`: a new person with a unique name and phone."""

        def add(role: str, grids: Iterable[int], post: str = "", department: str | None = None) -> None:
            name, phone = self._person(rng)
            staff.append(StaffSpec(name=name, role=role, phone=phone, grids=tuple(grids), post=post,
                                   department_code=department))

        return add

    def _grid_staff(self, rng: np.random.Generator, add: Callable[..., None], index: int) -> None:
        """A level-1 grid's 网格长, full-time workers by its households (A/B posts) and part-time workers."""
        add("leader", [index])
        if self.grids[index].kind == "exclusive":
            add("part_time", [index])
            return
        workers = max(1, round(self._households_of(index) / 100))
        for n in range(workers):
            add("full_time", [index], post="AB"[n % 2] if workers > 1 else "")
        for _ in range(int(rng.integers(1, 3)) if self.is_rural(index) else int(rng.random() < 0.5)):
            add("part_time", [index])

    def _stations(self) -> list[StationSpec]:
        """The street's 党群服务中心 in the office compound and a 网格党群服务站 in every urban community and
        in two villages, each in a real building (its point and address)."""
        compound = self.buildings[self.facility_buildings[0][0]]
        stations = [StationSpec(
            kind="party_mass_centre", name=f"{STREET_NAME}党群服务中心", point=compound.footprint.point_on_surface(),
            address=compound.address, opening_hours="周一至周日 8:30-17:30（节假日有人值班）",
            community_code=self.grids[compound.grid].community,
        )]
        sites = [(code, self.community_geoms[code].point_on_surface())
                 for code, _ in sorted(URBAN_COMMUNITIES.values())]
        sites += [(code, Point(self.hamlets[code][0][1])) for code, _ in sorted(VILLAGES.values())[:2]]
        for code, near in sites:
            homes = [b for b in self.buildings
                     if b.use in ("residential", "mixed") and self.grids[b.grid].community == code]
            home = min(homes, key=lambda b: b.footprint.distance(near))
            stations.append(StationSpec(
                kind="grid_station", name=f"{self.community_names[code]}网格党群服务站",
                point=home.footprint.point_on_surface(), address=home.address,
                opening_hours="周一至周五 8:30-12:00，14:00-17:30", community_code=code,
            ))
        return stations

    def _events(self) -> tuple[list[CategorySpec], list[EventSpec]]:
        """A few hundred events in the lowest-level grids over the last 60 days before REFERENCE_TIME, more
        in urban grids, at points at least 3 m inside their grid (never on a boundary)."""
        rng = self.rng("events")
        categories = [CategorySpec(code=code, name=name, parent_code=None) for code, name, _ in EVENT_CATEGORIES]
        categories += [CategorySpec(code=leaf.code, name=leaf.name, parent_code=leaf.code[:2]) for leaf in _leaves()]
        has_children = {g.parent for g in self.grids if g.parent is not None}
        targets = [i for i in range(len(self.grids)) if i not in has_children]
        weights = np.array([0.2 if self.grids[i].level == 3 else 1.5 if self.is_rural(i) else
                            2.0 if self.grids[i].kind == "exclusive" else 4.0 for i in targets])
        counts = rng.multinomial(EVENT_COUNT, weights / weights.sum())
        return categories, self._events_in(rng, targets, counts)

    def _events_in(self, rng: np.random.Generator, targets: list[int], counts: Iterable[int],
                   first_building: int = 0) -> list[EventSpec]:
        """`counts[k]` events in grid `targets[k]`, 3 m inside it, each of a leaf category chosen by the
        grid's setting, described at the address of the nearest building from `first_building` on (the
        street's own), with a status that fits its age."""
        leaves = _leaves()
        buildings = self.buildings[first_building:]
        address_tree = shapely.STRtree([b.footprint for b in buildings])
        events = []
        for index, count in zip(targets, counts):
            if not count:
                continue
            rural = self.is_rural(index)
            choice = np.array([leaf.rural_weight if rural else leaf.urban_weight for leaf in leaves], dtype=float)
            for xy in _sample_points(rng, self.grids[index].geom.buffer(-3.0), int(count)):
                point = Point(xy)
                leaf = leaves[int(rng.choice(len(leaves), p=choice / choice.sum()))]
                place = buildings[int(address_tree.nearest(point))].address
                days = int(rng.integers(0, EVENT_WINDOW_DAYS))  # whole days before REFERENCE_TIME
                minutes = int(rng.integers(0, 14 * 60))  # between 07:00 and 21:00
                reported_at = REFERENCE_TIME - timedelta(days=days + 1) + timedelta(hours=7, minutes=minutes)
                statuses = next(s for limit, s in EVENT_STATUS_BY_AGE if days < limit)
                status_weights = np.array([w for _, w in statuses], dtype=float)
                events.append(EventSpec(
                    point=point, category_code=leaf.code, description=leaf.template.format(place=place),
                    reported_at=reported_at, grid=index,
                    status=statuses[int(rng.choice(len(statuses), p=status_weights / status_weights.sum()))][0],
                ))
        return events

    # ---- 8. departments and their hand-drawn business grids -----------------------------------------------

    def _departments(self) -> tuple[list[DepartmentSpec], list[BusinessGridSpec]]:
        """Each department groups adjacent level-1 grids into zones and "draws" each zone by hand: the union
        is simplified, densified and every vertex moved by smooth noise of its own, so the layer has small
        gaps and overlaps and misses the base boundaries by metres to tens of metres."""
        rng = self.rng("departments")
        departments, business_grids = [], []
        urban_codes = {code for code, _ in URBAN_COMMUNITIES.values()}
        for plan in DEPARTMENTS:
            departments.append(DepartmentSpec(code=plan.code, name=plan.name, tier="town", area_code=STREET_CODE))
            members = [i for i in self.level1 if not plan.urban_only or self.grids[i].community in urban_codes]
            business_grids += self._drawn(rng, plan, self._zones(members, plan.zones))
        return departments, business_grids

    def _drawn(self, rng: np.random.Generator, plan: DepartmentPlan, zones: list[list[int]]) -> list[BusinessGridSpec]:
        """The department's business grids, one per zone of grids, each drawn by hand around the zone."""
        drawn_grids = []
        for n, group in enumerate(zones, start=1):
            union = shapely.coverage_union_all([self.grids[i].geom for i in group])
            outline = shapely.segmentize(shapely.simplify(union, 6.0), 25.0)
            waves = _Waves.random(rng, float(rng.uniform(8.0, 25.0)), (900.0, 350.0, 140.0))
            drawn = shapely.transform(outline, lambda xy, w=waves: xy + w.displacement(xy))
            drawn_grids.append(BusinessGridSpec(
                department_code=plan.code, code=f"{plan.grid_code_prefix}{n:02d}",
                name=plan.grid_name_pattern.format(n=CHINESE_NUMERALS[n - 1]),
                geom=_polygons_only(shapely.make_valid(drawn)),
            ))
        return drawn_grids

    def _zones(self, members: list[int], count: int) -> list[list[int]]:
        """Contiguous groups of adjacent grids: seeds spread by farthest-point sampling over comprehensive
        grids, zones grown smallest first. Exclusive grids join the zone of the grid around them."""
        centre = {i: np.asarray(self.grids[i].geom.centroid.coords[0]) for i in members}
        eligible = [i for i in members if self.grids[i].kind == "comprehensive" and self.grids[i].setting != "estate"]
        seeds = [max(eligible, key=lambda i: (np.hypot(*centre[i]), -i))]
        while len(seeds) < count:
            seeds.append(max((i for i in eligible if i not in seeds),
                             key=lambda i: (min(np.hypot(*(centre[i] - centre[s])) for s in seeds), -i)))
        zones = [[s] for s in seeds]
        remaining = [i for i in members if i not in seeds]
        while remaining:
            for zone in sorted(zones, key=len):
                frontier = [i for i in remaining if self.neighbours[i] & set(zone)]
                if frontier:
                    pick = min(frontier, key=lambda i: (np.hypot(*(centre[i] - centre[zone[0]])), i))
                    zone.append(pick)
                    remaining.remove(pick)
                    break
            else:
                raise RuntimeError("demo town generator: zones cannot reach every grid")
        return zones

    # ---- 9. the second street ------------------------------------------------------------------------------

    def _second_street(self) -> _SecondStreet:
        """The second street, built once the first is complete (its own random streams: the first street
        stays exactly as it was). It borders the first street along the first street's own boundary vertices
        between STREET2_ARC_DEGREES north and south of east, so the streets meet exactly, and is closed by
        straight lines. The community border and two north-south cuts are its roads and split it into six
        urban grids, sized and staffed by the first street's rules."""
        arc = self._border_arc()
        (_, south), (_, north) = arc[0], arc[-1]
        middle = arc[int(np.argmin(np.abs(np.arctan2(arc[:, 1], arc[:, 0]))))]
        outline = Polygon([*arc, (STREET2_EAST, north), (STREET2_EAST, south)])
        _require(outline.is_valid and outline.intersection(self.street).area < 1.0,
                 "the second street overlaps the first")
        west = float(arc[:, 0].max()) + 200.0
        cuts = [west + (STREET2_EAST - west) * k / 3 for k in (1, 2)]
        border = LineString([middle, (STREET2_EAST, middle[1])])
        lines = [border, *(LineString([(x, south), (x, north)]) for x in cuts)]
        faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(shapely.union_all([outline.exterior, *lines]))))
        _require(len(faces) == 6, "the second street is not six grids")
        first = len(self.grids)
        for code, is_north in zip((c for c, _ in STREET2_COMMUNITIES), (True, False)):
            mine = [f for f in faces if (f.point_on_surface().y > middle[1]) == is_north]
            for face in sorted(mine, key=lambda f: f.centroid.x):
                self.grids.append(_Grid(name=None, kind="comprehensive", level=1, setting="urban",
                                        community=code, geom=face))
        grids = list(range(first, len(self.grids)))
        for name, line in zip(STREET2_ROADS, lines):
            self.roads.append(RoadSpec(name=name, kind="secondary" if line is border else "residential",
                                       geom=line, street_code=STREET2_CODE))
        areas = self._second_street_areas(grids)
        first_building = len(self.buildings)
        self._second_street_buildings(grids, outline)
        return _SecondStreet(areas=areas, staff=self._second_street_staff(grids),
                             departments=[DepartmentSpec(code=STREET2_POLICE.code, name=STREET2_POLICE.name,
                                                         tier="town", area_code=STREET2_CODE)],
                             business_grids=self._drawn(self.rng("street2-departments"), STREET2_POLICE,
                                                        [grids[:3], grids[3:]]),
                             events=self._events_in(self.rng("street2-events"), grids,
                                                    self.rng("street2-counts").multinomial(
                                                        STREET2_EVENTS, np.full(len(grids), 1 / len(grids))),
                                                    first_building))

    def _border_arc(self) -> np.ndarray:
        """The first street's boundary vertices from STREET2_ARC_DEGREES south of east to as far north,
        south to north."""
        ring = np.asarray(shapely.orient_polygons(self.street).exterior.coords)[:-1]  # counter-clockwise
        bearing = np.degrees(np.arctan2(ring[:, 1], ring[:, 0]))
        start = int(np.argmin(np.abs(bearing + STREET2_ARC_DEGREES)))
        end = int(np.argmin(np.abs(bearing - STREET2_ARC_DEGREES)))
        order = np.roll(np.arange(len(ring)), -start)
        return ring[order[: (end - start) % len(ring) + 1]]

    def _second_street_areas(self, grids: list[int]) -> list[AreaSpec]:
        geoms = {code: _single_polygon(shapely.coverage_union_all(
            [self.grids[i].geom for i in grids if self.grids[i].community == code]), name)
            for code, name in STREET2_COMMUNITIES}
        self.street2 = _single_polygon(shapely.coverage_union_all(list(geoms.values())), STREET2_NAME)
        return [
            AreaSpec(code=STREET2_CODE, name=STREET2_NAME, kind="street", parent_code=COUNTY_CODE,
                     geom=MultiPolygon([self.street2])),
            *(AreaSpec(code=code, name=name, kind="community", parent_code=STREET2_CODE,
                       geom=MultiPolygon([geoms[code]])) for code, name in STREET2_COMMUNITIES),
        ]

    def _second_street_buildings(self, grids: list[int], outline: Polygon) -> None:
        """Apartment blocks clear of the first street's roads and river where they run on into this street,
        numbered along this street's roads."""
        rng = self.rng("street2-buildings")
        first = len(self.buildings)
        reaching = [r.geom for r in self.roads if r.street_code == STREET_CODE and r.geom.intersects(outline)]
        avoid = shapely.union_all([*reaching, self.river])
        for index in grids:
            self._urban_blocks(rng, index, int(rng.integers(200, 301)), avoid=avoid)
        mine = self.buildings[first:]
        streets = [r for r in self.roads if r.street_code == STREET2_CODE]
        numbers = _house_numbers(rng, streets, [b.footprint.centroid for b in mine], STREET2_NAME)
        for building, number in zip(mine, numbers):
            building.address = number
        _residents(rng, mine)

    def _second_street_staff(self, grids: list[int]) -> list[StaffSpec]:
        rng = self.rng("street2-staff")
        staff: list[StaffSpec] = []
        add = self._staff_adder(rng, staff)

        for index in grids:
            self._grid_staff(rng, add, index)
        for code, _ in STREET2_COMMUNITIES:
            members = [i for i in grids if self.grids[i].community == code]
            add("supervisor", members)
            add("department", members, department=STREET2_POLICE.code)
        return staff

    # ---- 10. the terrain -----------------------------------------------------------------------------------

    def _dem(self) -> Dem:
        """Hills and ridges around a flat basin holding the town, the river in a valley; 500-900 m. It covers
        both streets (the second one only widens it eastwards: the first street's cells stay as they were)."""
        rng = self.rng("dem")
        res = 1 / 3600  # one arc-second: ~28 m east-west, ~31 m north-south here
        lonlat = self._lonlat(np.vstack([self.street.exterior.coords, self.street2.exterior.coords]))
        west, south = lonlat.min(axis=0) - 0.01
        east, north = lonlat.max(axis=0) + 0.01
        west, north = math.floor(west / res) * res, math.ceil(north / res) * res
        cols, rows = math.ceil((east - west) / res), math.ceil((north - south) / res)
        lon, lat = np.meshgrid(west + (np.arange(cols) + 0.5) * res, north - (np.arange(rows) + 0.5) * res)
        x, y = self.to_metric.transform(lon.ravel(), lat.ravel())
        x, y = np.asarray(x) - self.origin[0], np.asarray(y) - self.origin[1]
        r = np.hypot(x, y)
        points = shapely.points(x, y)
        hills = np.zeros_like(x)
        for _ in range(16):
            angle, distance = rng.uniform(0, 2 * np.pi), rng.uniform(1500, 5000)
            hx, hy = distance * math.cos(angle), distance * math.sin(angle)
            sigma = rng.uniform(400, 1100)
            hills += rng.uniform(80, 240) * np.exp(-((x - hx) ** 2 + (y - hy) ** 2) / (2 * sigma**2))
        for _ in range(3):
            angle, distance = rng.uniform(0, 2 * np.pi), rng.uniform(2500, 4000)
            middle = np.array([math.cos(angle), math.sin(angle)]) * distance
            along = np.array([-math.sin(angle), math.cos(angle)]) * 2000  # ridges run across the radius
            ridge = LineString([middle - along, middle + along])
            gap = shapely.distance(ridge, points)
            hills += rng.uniform(120, 180) * np.exp(-(gap**2) / (2 * rng.uniform(250, 400) ** 2))
        ripples = _Waves.random(rng, 12.0, (600.0, 310.0, 170.0)).displacement(np.column_stack([x, y])).sum(axis=1)
        valley = 45 * np.exp(-(shapely.distance(self.river, points) / 180) ** 2)
        elevation = 545 + 60 * _smoothstep((r - 800) / 2700) + hills * _smoothstep((r - 900) / 1300) + ripples - valley
        return Dem(elevation=np.clip(elevation, 500, 900).reshape(rows, cols).astype(np.float32),
                   transform=Affine(res, 0.0, west, 0.0, -res, north))

    # ---- 11. projection to storage ----------------------------------------------------------------------

    def _lonlat(self, xy: np.ndarray) -> np.ndarray:
        lon, lat = self.to_storage.transform(xy[:, 0] + self.origin[0], xy[:, 1] + self.origin[1])
        return np.column_stack([lon, lat])

    def _project(self, town: Town) -> Town:
        """Project every geometry of the town to EPSG:4490 and round it to 1e-7° in one pass over all
        distinct vertices, so a vertex shared anywhere in the town is shared exactly afterwards."""
        slots: list[tuple[str, int, str]] = []
        geoms: list[BaseGeometry] = []
        for layer in fields(town):
            specs = getattr(town, layer.name)
            if not isinstance(specs, list):
                continue
            for position, spec in enumerate(specs):
                for attribute in fields(spec):
                    value = getattr(spec, attribute.name)
                    if isinstance(value, BaseGeometry):
                        slots.append((layer.name, position, attribute.name))
                        geoms.append(value)
        projected = shapely.transform(np.array(geoms, dtype=object), _per_vertex(self._lonlat))
        rounded = shapely.set_precision(projected, PRECISION_DEG, mode="pointwise")
        layers = {layer.name: list(getattr(town, layer.name)) for layer in fields(town)
                  if isinstance(getattr(town, layer.name), list)}
        for (layer, position, attribute), geom in zip(slots, rounded):
            layers[layer][position] = replace(layers[layer][position], **{attribute: geom})
        return replace(town, **layers)


def _check(town: Town) -> None:
    """The promises the loader and the database rely on, checked on the final (rounded) coordinates."""
    polygonal = [g.geom for g in (*town.areas, *town.grids, *town.business_grids, *town.waters)]
    polygonal += [b.footprint for b in town.buildings]
    _require(bool(shapely.is_valid(np.array(polygonal, dtype=object)).all()), "an invalid polygon after rounding")
    groups: dict[tuple[str, int | None], list[BaseGeometry]] = {}
    for grid in town.grids:
        groups.setdefault((grid.community_code, grid.parent), []).append(grid.geom)
    for (community, parent), members in groups.items():
        _require(shapely.coverage_is_valid(np.array(members, dtype=object)), f"grids of {community}/{parent} overlap")
        outer = next(a.geom for a in town.areas if a.code == community) if parent is None else town.grids[parent].geom
        _require(shapely.coverage_union_all(members).equals(outer), f"grids of {community}/{parent} leave a gap")
    grid_geoms = np.array([town.grids[b.grid].geom for b in town.buildings], dtype=object)
    footprints = np.array([b.footprint for b in town.buildings], dtype=object)
    _require(bool(shapely.within(footprints, grid_geoms).all()), "a footprint is not inside its grid")
    event_grids = np.array([town.grids[e.grid].geom for e in town.events], dtype=object)
    _require(bool(shapely.contains(event_grids, np.array([e.point for e in town.events], dtype=object)).all()),
             "an event is not inside its grid")
