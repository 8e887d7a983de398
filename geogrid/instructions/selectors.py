"""Reads: which instructions a user sees."""
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from geogrid.accounts.selectors import area_code_prefix, scope_of
from geogrid.instructions.models import Instruction


def instructions_visible_to(user: User | AnonymousUser) -> QuerySet[Instruction]:
    """A department's users see what it sent; an area's users the instructions to grids in their area."""
    instructions = Instruction.objects.select_related("department", "task", "grid", "person_building")
    if not user.is_authenticated or not user.is_active:
        return instructions.none()
    if user.is_superuser:
        return instructions
    scope = scope_of(user)
    if scope is not None and scope.department_id is not None:
        return instructions.filter(department_id=scope.department_id)
    prefix = area_code_prefix(user)
    return instructions.none() if prefix is None else instructions.filter(grid__community__code__startswith=prefix)
