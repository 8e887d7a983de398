"""Who may see what: every user is scoped to an area (street or community) or a department."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from geogrid.core.audit import audited


@audited()
class UserScope(models.Model):
    """用户权限范围: the area or the department a user works for."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="用户", related_name="scope", on_delete=models.CASCADE
    )
    area = models.ForeignKey(
        "areas.Area", verbose_name="负责区域", null=True, blank=True, on_delete=models.PROTECT,
        help_text="街道或社区：可查看该区域内的人员信息",
    )
    department = models.ForeignKey(
        "departments.Department", verbose_name="所属部门", null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = verbose_name_plural = "用户权限范围"
        constraints = [
            models.CheckConstraint(
                condition=Q(area__isnull=False) | Q(department__isnull=False), name="scope_area_or_department"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.area or self.department}"
