"""Reads: which instructions a user sees, and where a named person lives or works (by normalised address)."""
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet

from geogrid.accounts.selectors import area_code_prefix, scope_of
from geogrid.buildings.models import Building
from geogrid.instructions.models import Instruction
from geogrid.search.selectors import normalise


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


def buildings_at_address(address: str) -> list[Building]:
    """Buildings whose address equals this one once both are normalised (NFKC, no spaces): full-width digits
    and stray spaces in a typed address still match; anything looser would be a guess."""
    wanted = normalise(address)
    if not wanted:
        return []
    candidates = Building.objects.filter(Q(address=address) | Q(address__icontains=wanted[-6:]))
    return [b for b in candidates.select_related("grid_l1", "grid_l2", "grid_l3") if normalise(b.address) == wanted]
