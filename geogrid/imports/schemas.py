"""Canonical attribute schemas for every kind of data GeoGrid imports.

Each target lists its fields with the type, whether it is required, and the column names commonly found in
Chinese survey deliveries (aliases), so most files import without a `--map`. A `--map target=source`
option names the source column for a field explicitly and wins over aliases.
"""
from dataclasses import dataclass
from enum import Enum


class GeometryKind(Enum):
    """What geometry a target takes: the importer refuses anything else."""

    POLYGON = "polygon"  # Polygon or MultiPolygon
    POINT = "point"
    POINT_OR_POLYGON = "point_or_polygon"  # a building: footprint or point
    LINE = "line"  # LineString or MultiLineString (a road: each part becomes one road)
    NONE = "none"  # a staff list


@dataclass(frozen=True)
class Field:
    name: str
    type: type = str  # str, int
    required: bool = False
    aliases: tuple[str, ...] = ()
    default: object = None
    # Words that mean a choice value, e.g. {"综合网格": "comprehensive"}; the canonical values map to themselves.
    choices: tuple[tuple[str, str], ...] = ()

    @property
    def short(self) -> str:
        """The column name in a shapefile, whose DBF allows 10 characters (exports write it, imports read it)."""
        return SHAPEFILE_NAMES.get(self.name, self.name)

    def names(self) -> tuple[str, ...]:
        return (self.name, self.short, *self.aliases)


@dataclass(frozen=True)
class Schema:
    target: str
    label: str
    geometry: GeometryKind
    fields: tuple[Field, ...]
    key: str | None = "code"  # unique among the file's rows and against current rows in the database
    keys: tuple[str, ...] = ()  # other fields that may serve as the key (`--key`)
    modes: tuple[str, ...] = ("create",)  # import modes (ImportJob.Mode) the target supports
    model: str = ""  # "app_label.model" of the rows it writes: an importing user needs its add permission

    @property
    def permission(self) -> str:
        app_label, model = self.model.split(".")
        return f"{app_label}.add_{model}"

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


SHAPEFILE_NAMES = {"community_code": "comm_code", "parent_code": "parent", "exclusive_type": "excl_type",
                   "resident_households": "res_hh", "opening_hours": "hours", "department_code": "dept_code",
                   # read-only columns that exports add
                   "building_count": "bldg_cnt", "household_count": "hh_cnt", "resident_household_count": "res_hh_cnt"}

CODE_ALIASES = ("编码", "代码", "区划代码", "网格编码", "bm", "dm", "CODE")
NAME_ALIASES = ("名称", "网格名称", "mc", "NAME", "Name")

AREA_KINDS = (("县", "county"), ("区", "county"), ("县/区", "county"), ("街道", "street"), ("镇", "town"),
              ("乡", "township"), ("社区", "community"), ("村", "village"))
GRID_KINDS = (("综合", "comprehensive"), ("综合网格", "comprehensive"), ("专属", "exclusive"), ("专属网格", "exclusive"))
GRID_SETTINGS = (("城市", "urban"), ("农村", "rural"), ("小区", "estate"), ("住宅小区", "estate"), ("单位", "facility"))
STATION_KINDS = (("党群服务中心", "party_mass_centre"), ("网格党群服务站", "grid_station"), ("便民服务点", "convenience"))
ROAD_KINDS = (("主干道", "primary"), ("次干道", "secondary"), ("支路", "residential"), ("巷道", "residential"),
              ("支路/巷道", "residential"), ("村道", "rural"), ("步道", "path"), ("人行道", "path"))
DEPARTMENT_TIERS = (("乡镇（街道）级", "town"), ("街道级", "town"), ("乡镇级", "town"), ("县（区）级", "district"),
                    ("县级", "district"), ("区级", "district"))
STAFF_ROLES = (("网格长", "leader"), ("专职网格员", "full_time"), ("兼职网格员", "part_time"), ("网格指导员", "supervisor"),
               ("部门一线人员", "department"), ("联户长", "household_head"))

SCHEMAS: dict[str, Schema] = {
    s.target: s
    for s in (
        Schema("areas", "行政区划", GeometryKind.POLYGON, (
            Field("code", required=True, aliases=CODE_ALIASES),
            Field("name", required=True, aliases=NAME_ALIASES),
            Field("kind", required=True, aliases=("类型", "级别"), choices=AREA_KINDS),
            Field("parent_code", aliases=("上级代码", "上级编码")),
        ), modes=("create", "update"), model="areas.area"),
        Schema("grids", "网格", GeometryKind.POLYGON, (
            Field("code", required=True, aliases=CODE_ALIASES),
            Field("name", required=True, aliases=NAME_ALIASES),
            Field("level", int, aliases=("层级", "网格层级", "级别"), default=1),
            Field("parent_code", aliases=("上级网格编码", "上级编码")),
            Field("community_code", required=True, aliases=("社区代码", "社区编码", "所属社区代码")),
            Field("kind", aliases=("类型", "网格类型"), default="comprehensive", choices=GRID_KINDS),
            Field("exclusive_type", aliases=("专属类别", "专属网格类别")),
            Field("setting", aliases=("区域类型",), default="urban", choices=GRID_SETTINGS),
        ), modes=("create", "update", "replace"), model="grids.grid"),
        Schema("buildings", "楼栋房屋", GeometryKind.POINT_OR_POLYGON, (
            Field("address", required=True, aliases=("地址", "楼栋地址", "ADDRESS")),
            Field("id", aliases=("ID", "building_id", "楼栋ID")),  # GeoGrid's own id: the key with --key id
            Field("floors", int, aliases=("层数", "楼层数"), default=1),
            Field("households", int, aliases=("户数", "规划户数"), default=0),
            Field("resident_households", int, aliases=("常住户数",), default=0),
            Field("population", int, aliases=("人口", "常住人口", "人口数"), default=0),
            Field("use", aliases=("用途",), default="residential", choices=(
                ("住宅", "residential"), ("商住", "mixed"), ("商业", "commercial"), ("公共服务", "public"),
                ("工业", "industrial"))),
        ), key="address", keys=("address", "id"), modes=("create", "update"), model="buildings.building"),
        Schema("business_grids", "业务网格", GeometryKind.POLYGON, (
            Field("code", required=True, aliases=CODE_ALIASES),
            Field("name", required=True, aliases=NAME_ALIASES),
        ), model="departments.businessgrid"),
        Schema("stations", "服务站点", GeometryKind.POINT, (
            Field("name", required=True, aliases=NAME_ALIASES),
            Field("kind", aliases=("类型",), default="grid_station", choices=STATION_KINDS),
            Field("address", aliases=("地址",), default=""),
            Field("opening_hours", aliases=("开放时间",), default=""),
        ), key="name", modes=("create", "update"),  # a stored station matches by name within its community
            model="stations.servicestation"),
        Schema("roads", "道路（步行网络）", GeometryKind.LINE, (
            Field("name", aliases=(*NAME_ALIASES, "道路名称"), default=""),
            Field("kind", aliases=("等级", "道路等级", "类型"), default="residential", choices=ROAD_KINDS),
        ), key=None, model="roads.road"),
        Schema("departments", "部门", GeometryKind.NONE, (
            Field("code", required=True, aliases=("部门代码", "部门编码", "编码", "代码", "CODE")),
            Field("name", required=True, aliases=("部门名称", *NAME_ALIASES)),
            Field("area_code", required=True, aliases=("所属区划代码", "区划代码", "所属街道代码")),
            Field("tier", aliases=("层级",), choices=DEPARTMENT_TIERS),
        ), modes=("create", "update"), model="departments.department"),
        Schema("staff", "网格工作人员", GeometryKind.NONE, (
            Field("name", required=True, aliases=("姓名",)),
            Field("role", required=True, aliases=("角色", "职务"), choices=STAFF_ROLES),
            Field("phone", aliases=("电话", "联系电话", "手机")),  # the key; rows without one match by name and grid
            Field("post", aliases=("AB岗", "岗位"), default="", choices=(("A岗", "A"), ("B岗", "B"))),
            Field("grid_codes", required=True, aliases=("网格编码", "服务网格")),
            Field("department_code", aliases=("部门代码", "部门编码")),
        ), key="phone", modes=("create", "update"), model="staff.staffmember"),
    )
}
