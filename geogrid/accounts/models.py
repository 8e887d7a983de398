"""Who may see what: every user is scoped to an area (street or community) or a department."""
import pghistory
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import models
from django.db.models import Q
from rest_framework.authtoken.models import Token

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



# Who may log in and with which rights is audited too: users (a password change is recorded as such, without
# the hash; logging in is not a change), their groups and permissions, the groups' permissions and API tokens
# (without the token itself). The triggers sit on proxies so that they migrate with this app, not with
# Django's or DRF's (django-pghistory's way for third-party and many-to-many tables).
@audited(exclude=("password", "last_login"), model_name="UserAudit", verbose_name="用户",
         events=(pghistory.UpdateEvent("password_change", condition=pghistory.AnyChange("password")),))
class AuditedUser(User):
    class Meta:
        proxy = True


@audited(model_name="UserGroupAudit", verbose_name="用户所属组", keep_obj=False)
class AuditedUserGroup(User.groups.through):
    class Meta:
        proxy = True


@audited(model_name="UserPermissionAudit", verbose_name="用户权限", keep_obj=False)
class AuditedUserPermission(User.user_permissions.through):
    class Meta:
        proxy = True


@audited(model_name="GroupPermissionAudit", verbose_name="组权限", keep_obj=False)
class AuditedGroupPermission(Group.permissions.through):
    class Meta:
        proxy = True


@audited(exclude=("key",), model_name="TokenAudit", verbose_name="API 令牌", keep_obj=False)
class AuditedToken(Token):
    class Meta:
        proxy = True
