"""The default category tree and 归口办理 table, installed by `manage.py load_event_defaults` and editable after.

The tree follows the city-management event classes (CJ/T 214 / GB/T 30428.2 style: 市容环境, 宣传广告, 街面秩序,
施工管理, 突发事件) and comprehensive-governance classes (矛盾纠纷, 治安, 信访, 民生). The units come from seed
003, appendix 4 (网格化管理归口办理明细表). Where the appendix names two units ("建委+执法中队"), the first one
leads and the appendix's own words stay in the note: a ticket has one responsible unit, which coordinates.

`install_street_defaults(street)` gives one street its units and its own 归口办理 rows (rows for that street's
area): a default row without an area would send every street's tickets to the units of whichever street
installed it first.
"""
from dataclasses import dataclass

from django.db import transaction

from geogrid.areas.models import Area
from geogrid.departments.models import Department
from geogrid.events.models import EventCategory, Responsibility


@dataclass(frozen=True)
class DefaultCategory:
    code: str
    name: str
    closes_on_coordination: bool = False
    limits: tuple[int, int, int] = (2, 5, 1)  # accept, handle, verify (working days)


# (top class, its children). Codes are stable: hotline batches and phone apps send them.
CATEGORY_TREE: tuple[tuple[DefaultCategory, tuple[DefaultCategory, ...]], ...] = (
    (DefaultCategory("01", "市容环境"), (
        DefaultCategory("0101", "暴露垃圾"), DefaultCategory("0102", "占道经营"), DefaultCategory("0103", "乱堆物料"),
        DefaultCategory("0104", "环卫设施损坏"), DefaultCategory("0105", "违章建设"))),
    (DefaultCategory("02", "宣传广告"), (
        DefaultCategory("0201", "违规张贴小广告"), DefaultCategory("0202", "违规户外广告牌匾"))),
    (DefaultCategory("03", "街面秩序"), (
        DefaultCategory("0301", "机动车乱停放"), DefaultCategory("0302", "无照经营游商"))),
    (DefaultCategory("04", "施工管理"), (
        DefaultCategory("0401", "施工扰民"), DefaultCategory("0402", "道路破损"), DefaultCategory("0403", "渣土运输撒漏"),
        DefaultCategory("0404", "建筑工地扬尘"))),
    (DefaultCategory("05", "突发事件"), (
        DefaultCategory("0501", "道路积水", limits=(1, 1, 1)), DefaultCategory("0502", "地质灾害隐患", limits=(1, 2, 1)))),
    (DefaultCategory("06", "矛盾纠纷", closes_on_coordination=True), (
        DefaultCategory("0601", "邻里纠纷", closes_on_coordination=True),
        DefaultCategory("0602", "土地权属纠纷", closes_on_coordination=True),
        DefaultCategory("0603", "劳动保障纠纷", closes_on_coordination=True),
        DefaultCategory("0604", "征地拆迁纠纷", closes_on_coordination=True))),
    (DefaultCategory("07", "治安隐患"), (
        DefaultCategory("0701", "消防通道堵塞"), DefaultCategory("0702", "电动车违规充电"),
        DefaultCategory("0703", "治安秩序问题"))),
    (DefaultCategory("08", "环境保护"), (
        DefaultCategory("0801", "废气废水排放"), DefaultCategory("0802", "秸秆焚烧", limits=(1, 1, 1)),
        DefaultCategory("0803", "禽畜养殖污染"))),
    (DefaultCategory("09", "食药安全"), (DefaultCategory("0901", "食品安全隐患"),)),
    (DefaultCategory("10", "安全生产"), (
        DefaultCategory("1001", "一般安全隐患"), DefaultCategory("1002", "非法加油点"))),
    (DefaultCategory("11", "市政设施"), (
        DefaultCategory("1101", "照明设施损坏"), DefaultCategory("1102", "排水设施堵塞"), DefaultCategory("1103", "园林绿化损坏"))),
    (DefaultCategory("12", "民生服务"), (DefaultCategory("1201", "困难群众救助"), DefaultCategory("1202", "移风易俗"))),
    (DefaultCategory("13", "信访维稳", closes_on_coordination=True), (
        DefaultCategory("1301", "信访诉求", closes_on_coordination=True),
        DefaultCategory("1302", "群体性事件苗头", closes_on_coordination=True, limits=(1, 2, 1)))),
)


@dataclass(frozen=True)
class DefaultUnit:
    suffix: str  # department code = the street's 9-digit code + "-" + suffix
    name: str


UNITS = {unit.suffix: unit for unit in (
    DefaultUnit("PCS", "派出所"), DefaultUnit("CGZF", "城市管理执法中队"), DefaultUnit("SJS", "市场监督管理所"),
    DefaultUnit("HWS", "环卫所"), DefaultUnit("JW", "建设管理办公室"), DefaultUnit("HBS", "生态环境保护站"),
    DefaultUnit("NW", "农业农村办公室"), DefaultUnit("AJS", "应急管理所"), DefaultUnit("ZZB", "综治办"),
    DefaultUnit("MZS", "民政所"),
)}

# category code → (unit suffix, the appendix's words)
RESPONSIBILITIES: dict[str, tuple[str, str]] = {
    "01": ("CGZF", "市容市貌：建委+执法中队+管区"),
    "0101": ("HWS", "垃圾清运、道路保洁：环卫所"),
    "0104": ("HWS", "环卫设施维护管理：环卫所"),
    "02": ("CGZF", "广告灯饰：执法中队"),
    "03": ("CGZF", "乱停乱放、违章建设：执法中队联合建委"),
    "04": ("JW", "施工现场、建筑垃圾：建委+执法中队"),
    "05": ("AJS", "突发事件：应急管理所牵头"),
    "0501": ("JW", "排水设施：建委"),
    "06": ("ZZB", "矛盾排查：综治办协调人社、民政、国土等单位处置"),
    "07": ("PCS", "维护社会治安秩序：派出所"),
    "08": ("HBS", "环境保护：环保所"),
    "0802": ("NW", "秸秆禁烧归口农委负责"),
    "09": ("SJS", "食药安全：食药所（现市场监督管理所）"),
    "10": ("AJS", "一般性安全隐患：安监所（现应急管理所）"),
    "11": ("JW", "道路、照明、排水、园林：建委"),
    "12": ("MZS", "民政救济、移风易俗：民政所"),
    "13": ("ZZB", "信访维稳：综治办"),
}


def install_categories() -> tuple[dict[str, EventCategory], int]:
    """The default category tree, missing codes only (edited categories stay as they are): every default
    category by code, and how many were created."""
    categories: dict[str, EventCategory] = {}
    created = 0
    for top, children in CATEGORY_TREE:
        for spec, parent in ((top, None), *((child, top) for child in children)):
            accept, handle, verify = spec.limits
            categories[spec.code], new = EventCategory.objects.get_or_create(code=spec.code, defaults={
                "name": spec.name, "parent": categories.get(parent.code) if parent else None,
                "closes_on_coordination": spec.closes_on_coordination,
                "accept_limit": accept, "handle_limit": handle, "verify_limit": verify})
            created += new
    return categories, created


@transaction.atomic
def install_street_defaults(*, street: Area) -> dict[str, int]:
    """The default category tree, the street's units named in the 归口办理 table and the street's own 归口办理
    rows (area = the street), each only where missing: idempotent, and what an office edited stays. Returns
    what it created."""
    categories, created_categories = install_categories()
    created = {"categories": created_categories, "departments": 0, "responsibilities": 0}
    for code, (suffix, note) in RESPONSIBILITIES.items():
        department, new = Department.objects.get_or_create(
            code=f"{street.code[:9]}-{suffix}",
            defaults={"name": UNITS[suffix].name, "tier": Department.Tier.TOWN, "area": street})
        created["departments"] += new
        _, new = Responsibility.objects.get_or_create(category=categories[code], area=street,
                                                      defaults={"department": department, "note": note})
        created["responsibilities"] += new
    return created
