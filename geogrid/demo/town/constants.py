"""The town's fixed content: where it is, its codes and names, its sizes, facilities and departments.

Everything here is data; the step modules read it. Codes follow the statistical rule (residents' committees
001.., villages from 200) so that `street_code_of` and the area-code checks of the loader hold.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

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
ESTATE_TARGET = (0.0, 600.0)
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


@dataclass(frozen=True)
class FacilityBuilding:
    label: str
    use: str
    floors: int
    size: tuple[float, float]  # east-west, north-south metres
    offset: tuple[float, float]  # from the facility centre


@dataclass(frozen=True)
class Facility:
    """An exclusive grid: an axis-aligned rectangle carved out of an urban grid near `target`."""

    name: str
    exclusive_type: str
    size: tuple[int, int]
    target: tuple[float, float]
    buildings: tuple[FacilityBuilding, ...]

    @property
    def grid_name(self) -> str:
        return f"{self.name}专属网格"


FACILITIES = (
    Facility("街道办事处大院", "机关", (110, 90), (0, 0), (
        FacilityBuilding("办公楼", "public", 6, (50, 18), (0, 15)),
        FacilityBuilding("附属楼", "public", 3, (30, 14), (-20, -22)),
    )),
    Facility("农贸市场", "市场", (120, 90), (450, -350), (
        FacilityBuilding("交易大棚", "commercial", 1, (70, 40), (0, 10)),
        FacilityBuilding("沿街商铺", "commercial", 2, (60, 12), (0, -28)),
    )),
    Facility("第一中学", "学校", (200, 150), (-600, 150), (
        FacilityBuilding("1号教学楼", "public", 5, (60, 16), (-45, 40)),
        FacilityBuilding("2号教学楼", "public", 5, (60, 16), (-45, 0)),
        FacilityBuilding("学生宿舍", "public", 6, (50, 14), (-45, -45)),
        FacilityBuilding("食堂", "public", 2, (30, 20), (60, 45)),
    )),
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
