"""Events (事件): incidents reported from the street, routed to a grid and a department, tracked to closure.

A ticket's life is a sequence of transitions (`EventTransition`, 流转记录); the ticket row holds the current
state and the routing snapshot. Nothing is ever deleted: a database trigger refuses deletes of tickets and
their transitions (the demo loader alone lifts it to reload the demo town).
"""
import pgtrigger
from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.db.models import Q

from geogrid.core.audit import audited
from geogrid.core.refusals import DELETE_PROTECTED, UPDATE_PROTECTED, Protect

NO_DELETES = Protect(name="protect_deletes", operation=pgtrigger.Delete, rule=DELETE_PROTECTED)


@audited()
class EventCategory(models.Model):
    """事件分类: a tree (city-management and comprehensive-governance classes) with the time limits of its tickets."""

    class LimitUnit(models.TextChoices):
        WORKDAYS = "workdays", "工作日"
        HOURS = "hours", "工作小时"

    code = models.CharField("分类代码", max_length=20, unique=True)
    name = models.CharField("分类名称", max_length=100)
    parent = models.ForeignKey(
        "self", verbose_name="上级分类", null=True, blank=True, related_name="children", on_delete=models.PROTECT
    )
    limit_unit = models.CharField("时限单位", max_length=10, choices=LimitUnit.choices, default=LimitUnit.WORKDAYS)
    accept_limit = models.PositiveSmallIntegerField("受理时限", default=2)
    handle_limit = models.PositiveSmallIntegerField("办理时限", default=5)
    verify_limit = models.PositiveSmallIntegerField("核查时限", default=1)
    closes_on_coordination = models.BooleanField(
        "进入协调处置即办结", default=False, help_text="信访、矛盾纠纷等复杂事件进入协调处置即视为办结（三级流转）"
    )
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "事件分类"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


@audited()
class Responsibility(models.Model):
    """归口办理: which department handles a category of ticket. A row without an area is the default; a row
    for an area (a street or a community) overrides it there and below. A row for a parent category covers
    its children unless they have their own."""

    category = models.ForeignKey(EventCategory, verbose_name="事件分类", related_name="responsibilities",
                                 on_delete=models.PROTECT)
    area = models.ForeignKey("areas.Area", verbose_name="适用区域", null=True, blank=True, on_delete=models.PROTECT,
                             help_text="空：默认；填写街道或社区：仅该区域内适用")
    department = models.ForeignKey("departments.Department", verbose_name="责任单位", on_delete=models.PROTECT)
    note = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "归口办理"
        constraints = [
            models.UniqueConstraint(fields=["category", "area"], name="responsibility_one_per_area"),
            models.UniqueConstraint(fields=["category"], condition=Q(area__isnull=True),
                                    name="responsibility_one_default"),
        ]

    def __str__(self) -> str:
        return f"{self.category} → {self.department}"


@audited()
class Event(models.Model):
    """事件 (工单)."""

    class Status(models.TextChoices):
        REPORTED = "reported", "已上报"
        ACCEPTED = "accepted", "已受理"
        RETURNED = "returned", "已退回"
        DISPATCHED = "dispatched", "已派遣"
        HANDLING = "handling", "处置中"
        FED_BACK = "fed_back", "已反馈"
        VERIFYING = "verifying", "核查中"
        CLOSED = "closed", "已办结"

    class Source(models.TextChoices):
        GRID_WORKER = "grid_worker", "网格员上报"
        PUBLIC = "public", "群众上报"
        HOTLINE = "hotline", "12345热线"
        INSTRUCTION = "instruction", "部门指令"

    class Closure(models.TextChoices):
        RESOLVED = "resolved", "办理完毕"
        ON_SPOT = "on_spot", "网格内自行处置"
        COORDINATION = "coordination", "进入协调处置"

    location = models.PointField("位置", srid=4490, null=True, blank=True,
                                 help_text="CGCS2000；热线工单地址未匹配时为空，待人工定位")
    raw_x = models.FloatField("原始经度/X", null=True, blank=True)
    raw_y = models.FloatField("原始纬度/Y", null=True, blank=True)
    raw_crs = models.CharField("原始坐标系", max_length=20, blank=True)
    address = models.CharField("地址", max_length=300, blank=True)
    category = models.ForeignKey(EventCategory, verbose_name="分类", on_delete=models.PROTECT)
    description = models.TextField("描述")
    source = models.CharField("来源", max_length=12, choices=Source.choices, default=Source.GRID_WORKER)
    client_id = models.CharField("客户端编号", max_length=64, null=True, blank=True, unique=True,
                                 help_text="上报端生成的唯一编号：重试不会重复建单")
    reported_at = models.DateTimeField("上报时间")
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上报人账号", null=True, blank=True,
                                    related_name="reported_events", on_delete=models.PROTECT)
    reporter_name = models.CharField("报告人", max_length=50, blank=True)
    reporter_phone = models.CharField("报告人电话", max_length=20, blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.REPORTED)
    level = models.PositiveSmallIntegerField("流转层级", default=1, help_text="1 网格 2 街道（乡镇）中心 3 县（区）中心")
    # Routing snapshot (kept as routed: a later boundary change re-routes only through route_events).
    grid = models.ForeignKey(
        "grids.Grid", verbose_name="所属网格", null=True, blank=True, related_name="events",
        on_delete=models.PROTECT, help_text="上报时定位到的最低层级网格（快照）",
    )
    grid_ids = ArrayField(models.IntegerField(), verbose_name="网格链（快照）", default=list, blank=True)
    community = models.ForeignKey("areas.Area", verbose_name="社区/村", null=True, blank=True,
                                  related_name="+", on_delete=models.PROTECT)
    street = models.ForeignKey("areas.Area", verbose_name="街道/乡镇", null=True, blank=True,
                               related_name="+", on_delete=models.PROTECT)
    department = models.ForeignKey("departments.Department", verbose_name="责任单位", null=True, blank=True,
                                   related_name="events", on_delete=models.PROTECT)
    routing_note = models.CharField("分派依据", max_length=300, blank=True)
    # Deadlines of the current stage; `due_estimated` when holidays of some year in the span were not known.
    due_at = models.DateTimeField("当前环节时限", null=True, blank=True)
    due_estimated = models.BooleanField("时限按周末估算", default=False)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    closure = models.CharField("办结方式", max_length=12, choices=Closure.choices, blank=True)
    merged_into = models.ForeignKey("self", verbose_name="合并至", null=True, blank=True, related_name="duplicates",
                                    on_delete=models.PROTECT)
    satisfied = models.BooleanField("回访满意", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "事件"
        ordering = ["-reported_at"]
        permissions = [("review_event", "受理、派遣与核查事件（网格管理中心）")]
        indexes = [models.Index(fields=["status", "due_at"]), models.Index(fields=["department", "status"])]
        triggers = [NO_DELETES]

    def __str__(self) -> str:
        return f"#{self.pk} {self.category.name}"

    @property
    def is_open(self) -> bool:
        return self.status not in (self.Status.CLOSED, self.Status.RETURNED) and self.merged_into_id is None


class EventTransition(models.Model):
    """流转记录: one step of a ticket (who, when, from, to, note). Append-only."""

    event = models.ForeignKey(Event, verbose_name="事件", related_name="transitions", on_delete=models.PROTECT)
    action = models.CharField("操作", max_length=20)
    from_status = models.CharField("原状态", max_length=12, blank=True)
    to_status = models.CharField("新状态", max_length=12)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                              on_delete=models.PROTECT)
    at = models.DateTimeField("时间")
    note = models.TextField("说明", blank=True)
    data = models.JSONField("详情", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "流转记录"
        ordering = ["event", "at", "pk"]
        triggers = [NO_DELETES, Protect(name="protect_updates", operation=pgtrigger.Update, rule=UPDATE_PROTECTED)]

    def __str__(self) -> str:
        return f"#{self.event_id} {self.action}"


class EventPhoto(models.Model):
    """A photo of a ticket: as reported (before) or after handling."""

    class Stage(models.TextChoices):
        BEFORE = "before", "处置前"
        AFTER = "after", "处置后"

    event = models.ForeignKey(Event, verbose_name="事件", related_name="photos", on_delete=models.PROTECT)
    stage = models.CharField("阶段", max_length=8, choices=Stage.choices, default=Stage.BEFORE)
    image = models.FileField("照片", upload_to="events/%Y/%m/")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "事件照片"
        triggers = [NO_DELETES]


class RateCounter(models.Model):
    """How many requests one client (`ident`, e.g. its address) made in one fixed window of a rate limit
    (`scope`, e.g. "report"). Counted with one atomic upsert (`geogrid.events.throttling`), so simultaneous
    requests cannot all read the same count and slip past the limit."""

    scope = models.CharField("限流范围", max_length=20)
    ident = models.CharField("客户端", max_length=100)
    window_start = models.DateTimeField("时间窗起点")
    count = models.PositiveIntegerField("请求数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "限流计数"
        constraints = [models.UniqueConstraint(fields=["scope", "ident", "window_start"], name="rate_counter_window")]
