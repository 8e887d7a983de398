"""Reads about what a user may see."""
from django.contrib.auth.models import AnonymousUser, User

from geogrid.accounts.models import UserScope
from geogrid.areas.models import Area


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
