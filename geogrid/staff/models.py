"""Grid staff (网格力量): the people who serve grids. Phones are personal data: masked in lists."""
from django.conf import settings
from django.db import models
from geogrid.core.audit import audited


@audited()
class StaffMember(models.Model):
    """网格工作人员: one person in one role, serving one or more grids."""

    class Role(models.TextChoices):
        LEADER = "leader", "网格长"
        FULL_TIME = "full_time", "专职网格员"
        PART_TIME = "part_time", "兼职网格员"
        SUPERVISOR = "supervisor", "网格指导员"
        DEPARTMENT = "department", "部门一线人员"
        HOUSEHOLD_HEAD = "household_head", "联户长"

    class Post(models.TextChoices):
        NONE = "", "—"
        A = "A", "A岗"
        B = "B", "B岗"

    ROLE_ORDER = [Role.LEADER, Role.FULL_TIME, Role.PART_TIME, Role.SUPERVISOR, Role.DEPARTMENT, Role.HOUSEHOLD_HEAD]

    name = models.CharField("姓名", max_length=50)
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    post = models.CharField("AB岗", max_length=1, choices=Post.choices, blank=True, default=Post.NONE)
    department = models.ForeignKey(
        "departments.Department", verbose_name="所属部门", null=True, blank=True, on_delete=models.PROTECT,
        help_text="部门一线人员填写",
    )
    grids = models.ManyToManyField("grids.Grid", verbose_name="服务网格", related_name="staff")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="登录账号", null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = verbose_name_plural = "网格工作人员"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"


@audited(model_name="StaffMemberGridAudit", verbose_name="人员服务网格", keep_obj=False)
class AuditedStaffMemberGrid(StaffMember.grids.through):
    """Which grids a person serves (a proxy: triggers on the link table migrate only through one)."""

    class Meta:
        proxy = True
