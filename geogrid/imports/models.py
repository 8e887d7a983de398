"""The import log (导入记录): every import, dry run or failure, with who, when, file, CRS and counts.

The log lives outside the import's own transaction, so a failed import is recorded while the data tables
stay exactly as they were.
"""
from django.conf import settings
from django.db import models

from geogrid.core.audit import audited


@audited(exclude=("progress",))
class ImportJob(models.Model):
    """导入记录."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "导入中"
        SUCCEEDED = "succeeded", "导入成功"
        CHECKED = "checked", "试导入通过（未写入）"
        SUBMITTED = "submitted", "已提交调整申请（待审批）"  # a grid replace by a user the centre must approve
        FAILED = "failed", "导入失败"
        UNDONE = "undone", "已撤销"

    class Mode(models.TextChoices):
        """How rows meet the rows already stored, matched by the target's key (a grid's code, a building's
        address or id)."""

        CREATE = "create", "新增（键已存在则拒绝）"
        UPDATE = "update", "更新（有变化的成为新版本，其余新增）"
        REPLACE = "replace", "替换（整个社区的网格图层）"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                             on_delete=models.PROTECT)
    created_at = models.DateTimeField("开始时间", auto_now_add=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    file_name = models.CharField("文件名", max_length=255)
    target = models.CharField("导入内容", max_length=20)
    department = models.ForeignKey("departments.Department", verbose_name="部门（业务网格）", null=True, blank=True,
                                   on_delete=models.PROTECT)
    options = models.JSONField("选项", default=dict, help_text="坐标系、图层、编码、字段对应、修复、试导入")
    source_crs = models.CharField("源坐标系", max_length=40, blank=True)
    mode = models.CharField("导入方式", max_length=10, choices=Mode.choices, default=Mode.CREATE)
    generation = models.ForeignKey("core.Generation", verbose_name="写入的版本", null=True, blank=True,
                                   related_name="+", on_delete=models.PROTECT)
    change_request = models.ForeignKey("adjustments.ChangeRequest", verbose_name="提交的调整申请", null=True,
                                       blank=True, related_name="import_jobs", on_delete=models.PROTECT)
    undone_at = models.DateTimeField("撤销时间", null=True, blank=True)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="撤销人", null=True, blank=True,
                                  related_name="+", on_delete=models.PROTECT)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    counts = models.JSONField("数量", default=dict)
    report = models.JSONField("报告", default=dict, help_text="错误、修复与提示，逐要素")

    class Meta:
        verbose_name = verbose_name_plural = "导入记录"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name}（{self.get_status_display()}）"


class ImportedFeature(models.Model):
    """What an import did to one row: the source record of a created or updated row (raw geometry in the
    file's own CRS and the raw attributes), or a row the import ended (`number` 0 when no file row names it).

    Kept so a point converted from GCJ-02 or a Gauss-Krüger zone can always be traced to what was delivered,
    and so an import can be undone: `previous` holds an updated row's values before the import.
    """

    class Action(models.TextChoices):
        CREATED = "created", "新增"
        UPDATED = "updated", "更新"
        ENDED = "ended", "终止（被新版本替代或被替换）"

    job = models.ForeignKey(ImportJob, verbose_name="导入记录", related_name="features", on_delete=models.PROTECT)
    number = models.PositiveIntegerField("文件中序号")
    model = models.CharField("数据表", max_length=60)
    object_id = models.BigIntegerField("记录ID")
    raw_crs = models.CharField("原始坐标系", max_length=40, blank=True)
    raw_wkt = models.TextField("原始几何（WKT）", blank=True)
    attributes = models.JSONField("原始属性", default=dict)
    action = models.CharField("操作", max_length=10, choices=Action.choices, default=Action.CREATED)
    previous = models.JSONField("更新前的值", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "导入要素原始记录"
        indexes = [models.Index(fields=["model", "object_id"])]
