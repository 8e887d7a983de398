"""The grid worker's monthly score sheet (网格员月考核, seed 003, 5th plan) as editable data, and the marks the
centre enters by hand.

A county (or street) edits its own copy of the sheet in the admin: the items and their maximum points, how
many points a valid ticket earns, the ticket-score bands (below 150 deducts 10 and forfeits the month's
performance pay; above 170/200/250 adds 2/3/5) and the pass mark (60, seed 001). The one item computed from
tickets is 信息采集 (information reporting); the others (attendance, resident work, the hidden-problem audit)
are what the centre sees on patrol and enters as `ScoreMark`s, each with its reason, audited.
"""
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Coalesce

from geogrid.core.audit import audited

POINTS = {"max_digits": 6, "decimal_places": 1}


@audited()
class ScoreSheet(models.Model):
    """网格员月考核表: one default (no area) and any number of local versions."""

    name = models.CharField("名称", max_length=100)
    area = models.ForeignKey(
        "areas.Area", verbose_name="适用区域", null=True, blank=True, on_delete=models.PROTECT,
        help_text="空：默认考核表；填写县（区）、街道或社区：该区域及以下的网格员使用此表",
    )
    pass_mark = models.DecimalField("合格分", default=Decimal(60), help_text="低于此分为不合格", **POINTS)
    points_per_ticket = models.DecimalField(
        "每件有效工单得分", default=Decimal(5), **POINTS,
        help_text="网格员当月上报、经中心受理（或网格内自行处置）的工单，每件计此分；被退回、被合并的不计",
    )
    quality_floor = models.PositiveSmallIntegerField("工单合格率下限（%）", default=80)
    quality_deduction = models.DecimalField("合格率不达标扣分", default=Decimal(5), **POINTS)

    class Meta:
        verbose_name = verbose_name_plural = "网格员月考核表"
        # One sheet per area and a single default: coalesce makes the default's NULL area count as a value.
        constraints = [models.UniqueConstraint(Coalesce("area", Value(0)), name="score_sheet_one_per_area")]

    def __str__(self) -> str:
        return self.name


@audited()
class ScoreItem(models.Model):
    """考核项: a part of the sheet with its maximum points."""

    class Source(models.TextChoices):
        MANUAL = "manual", "中心评分录入"
        TICKETS = "tickets", "按工单自动计算"

    sheet = models.ForeignKey(ScoreSheet, verbose_name="考核表", related_name="items", on_delete=models.CASCADE)
    order = models.PositiveSmallIntegerField("序号", default=1)
    name = models.CharField("考核项", max_length=50)
    max_points = models.DecimalField("分值", **POINTS)
    source = models.CharField("得分来源", max_length=10, choices=Source.choices, default=Source.MANUAL)
    rules = models.TextField("评分细则", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "考核项"
        ordering = ["sheet", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["sheet"], condition=Q(source="tickets"),
                                               name="score_item_one_ticket_item")]

    def __str__(self) -> str:
        return f"{self.name}（{self.max_points}分）"


@audited()
class TicketBand(models.Model):
    """工单得分档: below a threshold deducts (and may forfeit the month's performance pay), above one adds.
    Of the bands a score falls in, the lowest 'below' and the highest 'above' apply (tiers, not a sum)."""

    class Direction(models.TextChoices):
        BELOW = "below", "低于"
        ABOVE = "above", "高于"

    sheet = models.ForeignKey(ScoreSheet, verbose_name="考核表", related_name="bands", on_delete=models.CASCADE)
    direction = models.CharField("条件", max_length=5, choices=Direction.choices)
    threshold = models.PositiveIntegerField("工单得分")
    adjustment = models.DecimalField("加减分", help_text="扣分填负数", **POINTS)
    disqualifies = models.BooleanField("取消当月绩效考核资格", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "工单得分档"
        ordering = ["sheet", "direction", "threshold"]

    def __str__(self) -> str:
        return f"{self.get_direction_display()}{self.threshold}分 {self.adjustment:+}"


@audited()
class ScoreMark(models.Model):
    """人工评分: one deduction (or addition) the centre gives a grid worker for a month on one item, with why.
    Several marks may add up on one item; `veto` is the sheet's 一票否决 (a failure whatever the total)."""

    worker = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="网格员账号", related_name="score_marks",
                               on_delete=models.PROTECT)
    month = models.DateField("考核月份", help_text="该月任意一天均可，保存为当月1日")
    item = models.ForeignKey(ScoreItem, verbose_name="考核项", related_name="marks", on_delete=models.PROTECT)
    points = models.DecimalField("加减分", help_text="扣分填负数，如 -0.5", **POINTS)
    reason = models.CharField("事由", max_length=300)
    veto = models.BooleanField("一票否决", default=False, help_text="如：信息上报不及时造成工作贻误或不良影响")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, blank=True,
                                   related_name="+", on_delete=models.PROTECT)
    entered_at = models.DateTimeField("录入时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "网格员考核评分"
        ordering = ["-month", "worker", "item"]
        indexes = [models.Index(fields=["month", "worker"])]

    def __str__(self) -> str:
        return f"{self.worker} {self.month:%Y-%m} {self.item.name} {self.points:+}"

    def save(self, *args, **kwargs) -> None:
        """A month is stored as its first day, so marks of one month group together whatever day was typed."""
        if self.month is not None:
            self.month = self.month.replace(day=1)
        super().save(*args, **kwargs)
