"""Reads about what a user may see."""
from django.contrib.auth.models import AnonymousUser, Group, User
from django.db.models import Q, QuerySet

from geogrid.accounts.models import UserScope
from geogrid.areas.models import Area
from geogrid.departments.models import Department


def scope_of(user: User | AnonymousUser) -> "UserScope | None":
    """The user's UserScope, or None for anonymous users and users without one."""
    if not user.is_authenticated:
        return None
    return getattr(user, "scope", None)


def can_see_personal_data(user: User | AnonymousUser, community_code: str) -> bool:
    """Whether the user may see unmasked phones of people serving in the community with this code.

    Superusers see everything; an area-scoped user sees the area and everything under it
    (area codes nest by prefix).
    """
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    scope = scope_of(user)
    if scope is None or scope.area is None:
        return False
    return community_code.startswith(Area.code_prefix(scope.area.code))


def area_of(user: User | AnonymousUser) -> "Area | None":
    """The area a user works in: the scope's area, or for a department-scoped user the department's area
    (a town-level department's street, a district-level department's county). None without a scope."""
    scope = scope_of(user)
    if scope is None:
        return None
    if scope.area_id is not None:
        return scope.area
    return scope.department.area if scope.department_id is not None else None


def area_code_prefix(user: User | AnonymousUser) -> str | None:
    """The code prefix of every area the user may work on: "" (every code) for active superusers, the
    prefix of `area_of(user)` otherwise, None (nothing at all) for users without a scope."""
    if not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return ""
    area = area_of(user)
    return None if area is None else Area.code_prefix(area.code)


def departments_serving(user: User | AnonymousUser) -> "QuerySet[Department]":
    """The departments a user may pick for a person or a business grid: those of the user's area and the
    areas under it, and those of the areas above it (a community's 部门一线人员 work for the street's police
    station or a county bureau). All for superusers, none for users without a scope."""
    prefix = area_code_prefix(user)
    if prefix == "":
        return Department.objects.all()
    if prefix is None:
        return Department.objects.none()
    above, area = [], area_of(user).parent
    while area is not None:
        above.append(area.pk)
        area = area.parent
    return Department.objects.filter(Q(area__code__startswith=prefix) | Q(area__in=above))


def departments_visible_to(user: User) -> "QuerySet[Department]":
    """Whose business grids the user may see, export or align: a department user's own department only; an
    area user's, every department serving the area (`departments_serving`); all for superusers."""
    scope = scope_of(user)
    if scope is not None and scope.department_id is not None and not user.is_superuser:
        return Department.objects.filter(pk=scope.department_id)
    return departments_serving(user)


def roles_allowed(permission: str) -> list[str]:
    """The names of the role groups that hold `permission` ("app_label.codename"), to tell a user who may do
    what the page does not let them do."""
    app_label, codename = permission.split(".")
    return list(Group.objects.filter(permissions__content_type__app_label=app_label, permissions__codename=codename)
                .order_by("name").values_list("name", flat=True))
