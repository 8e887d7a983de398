"""Top-down instructions (部门指令, 网格响应, seed 002): a department sends a task down to a grid's workers.

Only work on the grid task list (准入清单, seed 001 appendix 1) may be sent to grids, and an instruction about
a person is returned unless the person lives or works in that grid. Nothing is deleted; every change is audited.
"""
from django.conf import settings
from django.contrib.gis.db import models

from geogrid.core.audit import audited


@audited()
class GridTask(models.Model):
    """准入清单: a kind of work grid workers may be asked to do."""

    code = models.CharField("编号", max_length=10, unique=True)
    kind = models.CharField("类别", max_length=50)
    name = models.CharField("具体服务事项", max_length=100)
    supervisor = models.CharField("指导监督部门", max_length=100, blank=True)
    active = models.BooleanField("在清单内", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "网格事项准入清单"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.kind}：{self.name}"


@audited()
class Instruction(models.Model):
    """部门指令."""

    class Status(models.TextChoices):
        PENDING = "pending", "待中心审核"
        REFUSED = "refused", "已退回"
        ACCEPTED = "accepted", "已下达网格"
        DONE = "done", "网格已响应"

    department = models.ForeignKey("departments.Department", verbose_name="发出部门", on_delete=models.PROTECT)
    task = models.ForeignKey(GridTask, verbose_name="准入事项", null=True, blank=True, on_delete=models.PROTECT,
                             help_text="空：不在准入清单内（将被退回）")
    grid = models.ForeignKey("grids.Grid", verbose_name="网格", related_name="instructions", on_delete=models.PROTECT)
    content = models.TextField("指令内容")
    person_name = models.CharField("涉及人员", max_length=50, blank=True)
    person_address = models.CharField("涉及人员住址/工作地址", max_length=200, blank=True)
    person_building = models.ForeignKey("buildings.Building", verbose_name="匹配楼栋", null=True, blank=True,
                                        on_delete=models.PROTECT)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField("审核意见", max_length=300, blank=True)
    response = models.TextField("网格响应", blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发出人", related_name="+",
                                on_delete=models.PROTECT)
    sent_at = models.DateTimeField("发出时间", auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, blank=True,
                                   related_name="+", on_delete=models.PROTECT)
    done_at = models.DateTimeField("响应时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "部门指令"
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"{self.department} → {self.grid.code}"
