"""The default category tree as plain data, free of Django so that the demo generator (pure) reads the same
names: `defaults.install_categories` installs it, and a street edits it after.

The tree follows the city-management event classes (CJ/T 214 / GB/T 30428.2 style: 市容环境, 宣传广告, 街面秩序,
施工管理, 突发事件) and comprehensive-governance classes (矛盾纠纷, 治安, 信访, 民生).
"""
from dataclasses import dataclass


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
