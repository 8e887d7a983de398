"""Events (事件): incidents reported from the street. A first model; the events issue extends it."""
from django.contrib.gis.db import models
from geogrid.core.audit import audited


@audited()
class EventCategory(models.Model):
    """事件分类: a tree (city-management and comprehensive-governance classes)."""

    code = models.CharField("分类代码", max_length=20, unique=True)
    name = models.CharField("分类名称", max_length=100)
    parent = models.ForeignKey(
        "self", verbose_name="上级分类", null=True, blank=True, related_name="children", on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = verbose_name_plural = "事件分类"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


@audited()
class Event(models.Model):
    """事件."""

    class Status(models.TextChoices):
        REPORTED = "reported", "已上报"
        ACCEPTED = "accepted", "已受理"
        RETURNED = "returned", "已退回"
        DISPATCHED = "dispatched", "已派遣"
        HANDLING = "handling", "处置中"
        FED_BACK = "fed_back", "已反馈"
        VERIFYING = "verifying", "核查中"
        CLOSED = "closed", "已办结"

    location = models.PointField("位置", srid=4490)
    category = models.ForeignKey(EventCategory, verbose_name="分类", on_delete=models.PROTECT)
    description = models.TextField("描述")
    reported_at = models.DateTimeField("上报时间")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.REPORTED)
    grid = models.ForeignKey(
        "grids.Grid", verbose_name="所属网格", null=True, blank=True, related_name="events",
        on_delete=models.PROTECT, help_text="上报时定位到的最低层级网格（快照）",
    )

    class Meta:
        verbose_name = verbose_name_plural = "事件"
        ordering = ["-reported_at"]

    def __str__(self) -> str:
        return f"{self.category.name} {self.reported_at:%Y-%m-%d}"
