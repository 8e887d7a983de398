"""The default category tree and 归口办理 table, installed by `manage.py load_event_defaults` and editable after.

The tree itself is plain data in `category_tree.py` (the demo generator reads it too). The units come from seed
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
from geogrid.events.category_tree import CATEGORY_TREE
from geogrid.events.models import EventCategory, Responsibility


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
