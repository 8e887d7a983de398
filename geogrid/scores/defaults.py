"""The default grid worker's monthly sheet: seed 003 (5th plan, 考核制度 (一) 网格员月考核) and the pass mark of
seed 001 (under 60 points fails). Plain data, read by the data migration and `services.install_default_sheet`."""
from decimal import Decimal

NAME = "网格员月考核（默认）"

# (name, max points, computed from tickets, rules as the seed words them)
ITEMS = (
    ("出勤率", Decimal(20), False,
     "对所属网格覆盖式巡查、走访辖区群众，覆盖范围不足扣5分；每日巡查时间低于2小时扣0.5分；"
     "电话督查未接听每次扣0.5分。"),
    ("群众工作", Decimal(20), False,
     "应知应会情况不熟悉的每人次扣2分；随机抽取20户满意度测评，满意率低于60%扣3分；"
     "群众诉求未落实解决一次扣2分；未解决造成极坏影响扣10分。"),
    ("信息采集数量和质量", Decimal(40), True,
     "每月上报工单得分低于150分扣10分并取消当月绩效考核资格；高于170分加2分，高于200分加3分，高于250分加5分；"
     "工单合格率低于80%扣5分（以上自动计算）；因信息上报不及时造成工作贻误或不良影响的扣10分，一票否决（人工录入）。"),
    ("倒追考核", Decimal(20), False,
     "暗访巡查发现长期存在未上报问题每件扣10分；热线、公众号、舆情等多次举报经核实而网格员未发现上报的，"
     "按问题件数和类型系数扣分。"),
)

# (direction, threshold, adjustment, disqualifies)
BANDS = (
    ("below", 150, Decimal(-10), True),
    ("above", 170, Decimal(2), False),
    ("above", 200, Decimal(3), False),
    ("above", 250, Decimal(5), False),
)
