"""The export log (导出记录): who took which data out, when, in which CRS and how many features.

Exports are reads, but a grid ledger carries staff phones: knowing who downloaded what is part of
handling personal data.
"""
from django.conf import settings
from django.db import models

from geogrid.core.audit import audited

TARGETS = {"grids": "网格", "areas": "行政区划", "business_grids": "业务网格", "stations": "服务站点"}


@audited()
class ExportRecord(models.Model):
    """导出记录."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                             on_delete=models.PROTECT)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    target = models.CharField("导出内容", max_length=20, choices=list(TARGETS.items()))
    format = models.CharField("格式", max_length=10)
    crs = models.CharField("坐标系", max_length=40)
    area_code = models.CharField("区域代码", max_length=12, blank=True)
    department_code = models.CharField("部门代码", max_length=40, blank=True)
    count = models.PositiveIntegerField("要素数")

    class Meta:
        verbose_name = verbose_name_plural = "导出记录"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.target}.{self.format}（{self.count}）"
