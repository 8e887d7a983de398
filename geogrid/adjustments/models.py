"""Change requests (网格划分动态调整): a community's grid edits, proposed with a reason and approved or
rejected by the street's grid centre. Approval writes a new generation of the grids (history kept).

A request stores the whole proposed level of the community (`proposal`, GeoJSON in CGCS2000) and the grid
rows it was drawn on (`base`: code -> grid id). A request whose base is no longer current, or that touches
grids another pending request touches, is refused at submission: the second editor is told, and loses
nothing (their draft stays in their editor).
"""
from django.conf import settings
from django.db import models

from geogrid.core.audit import audited


@audited()
class ChangeRequest(models.Model):
    """网格调整申请."""

    class Status(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "已驳回"

    community = models.ForeignKey("areas.Area", verbose_name="社区/村", on_delete=models.PROTECT,
                                  related_name="change_requests")
    level = models.PositiveSmallIntegerField("网格层级", default=1)
    reason = models.TextField("调整理由")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    base = models.JSONField("编辑时的网格版本", help_text="网格编码 → 网格记录ID")
    proposal = models.JSONField("调整后的网格", help_text="GeoJSON FeatureCollection（CGCS2000）")
    changed = models.JSONField("变更的网格", default=list)
    removed = models.JSONField("撤销的网格", default=list)
    restored_from = models.ForeignKey("core.Generation", verbose_name="恢复自版本", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT,
                                   related_name="change_requests")
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审批人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.TextField("审批意见", blank=True)
    generation = models.ForeignKey("core.Generation", verbose_name="生成版本", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="change_requests")
    carryover = models.JSONField("随调整转移的人员与关联", default=dict, blank=True,
                                 help_text="批准时记录：各网格得失（effects）与被替换网格原有人员（retired_staff，"
                                           "网格记录ID → 人员ID），供恢复历史版本时带回")

    class Meta:
        verbose_name = verbose_name_plural = "网格调整申请"
        ordering = ["-created_at"]
        permissions = [("approve_changerequest", "审批网格调整申请")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.community.name}：{self.reason[:20]}"

    def touches(self) -> set[str]:
        """The codes this request changes or removes."""
        return set(self.changed) | set(self.removed)
