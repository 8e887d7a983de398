"""Writes about users: creating a user in a role with a scope (`manage.py create_user`)."""
import secrets

from django.contrib.auth.models import Group, User
from django.db import transaction

from geogrid.accounts.models import UserScope
from geogrid.accounts.roles import ROLES
from geogrid.areas.models import Area
from geogrid.core.api import DomainError
from geogrid.departments.models import Department

SCOPE_KINDS = {"street": Area.STREET_KINDS, "community": Area.COMMUNITY_KINDS}
SCOPE_LABELS = {"street": "街道/乡镇", "community": "社区/村", "department": "部门"}


def generate_password() -> str:
    return secrets.token_urlsafe(12)


@transaction.atomic
def create_user(*, username: str, role: str, password: str, area_code: str | None = None,
                department_code: str | None = None, full_name: str = "") -> User:
    """A user in a role's group, scoped to an area (street roles a street, community roles a community) or a
    department; street users may log in to the admin. Refused with a DomainError naming what is wrong."""
    if role not in ROLES:
        raise DomainError(f"未知角色 {role}，可选：{'、'.join(ROLES)}", code="unknown_role", field="role")
    spec = ROLES[role]
    if User.objects.filter(username=username).exists():
        raise DomainError(f"用户名 {username} 已存在", code="username_taken", field="username")
    area = Area.objects.filter(code=area_code).first() if area_code else None
    if area_code and area is None:
        raise DomainError(f"区划 {area_code} 不存在", code="unknown_area", field="area")
    department = Department.objects.filter(code=department_code).first() if department_code else None
    if department_code and department is None:
        raise DomainError(f"部门 {department_code} 不存在", code="unknown_department",
                          field="department")
    if spec.scope == "department" and department is None:
        raise DomainError("部门角色需指定 --department",
                          code="required", field="department")
    if spec.scope in SCOPE_KINDS and (area is None or area.kind not in SCOPE_KINDS[spec.scope]):
        raise DomainError(f"角色 {spec.group} 需指定一个{SCOPE_LABELS[spec.scope]}（--area 代码）",
                          code="scope_mismatch", field="area")
    user = User.objects.create_user(username=username, password=password, is_staff=spec.staff)
    user.first_name = full_name
    user.save(update_fields=["first_name"])
    user.groups.set([Group.objects.get(name=spec.group)])
    UserScope.objects.create(user=user, area=area, department=department)
    return user
