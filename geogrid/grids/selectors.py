"""Reads of grids."""
from django.contrib.auth.models import AnonymousUser, User

from geogrid.accounts.selectors import scope_of
from geogrid.grids.models import Grid, GridQuerySet


def grids_visible_to(user: User | AnonymousUser, level: int | None = None) -> GridQuerySet:
    """Current grids in the user's area (all of them for superusers and department users)."""
    grids = Grid.objects.current().select_related("community").order_by("level", "code")
    if level is not None:
        grids = grids.filter(level=level)
    if user.is_superuser:
        return grids
    scope = scope_of(user)
    if scope is None:
        return grids.none()
    area = scope.area or scope.department.area  # department users see the base layer of their area
    return grids.in_area(area.code)
