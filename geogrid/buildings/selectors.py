"""Reads of buildings: the map's building details, scoped like the grids (`grids_visible_to`).

A user sees only the buildings of the communities in their area, so a building id guessed or copied from
another street's map answers exactly like an id that does not exist.
"""
from django.contrib.auth.models import AnonymousUser, User
from django.contrib.gis.db.models.functions import GeometryDistance
from django.contrib.gis.geos import Point
from django.db.models import Q, QuerySet

from geogrid.accounts.selectors import area_code_prefix
from geogrid.buildings.models import Building

# A building drawn as a point (no footprint) is a 2-pixel dot on the map: a click or a search result within
# about 3 m of it means it. In degrees, because the point column is geographic (3e-5° is 2.7-3.3 m here).
POINT_REACH_DEGREES = 3e-5


def buildings_visible_to(user: User | AnonymousUser) -> QuerySet[Building]:
    """The buildings of the communities in the user's area (all for superusers, none without a scope)."""
    buildings = Building.objects.select_related("community", "grid_l1", "grid_l2", "grid_l3")
    prefix = area_code_prefix(user)
    if prefix is None:
        return buildings.none()
    return buildings if prefix == "" else buildings.filter(community__code__startswith=prefix)


def building_by_id(user: User | AnonymousUser, pk: int) -> Building | None:
    """The building the user clicked on the map (its id comes from the buildings tile), if the user may see it."""
    return buildings_visible_to(user).filter(pk=pk).first()


def building_at(user: User | AnonymousUser, point: Point) -> Building | None:
    """The building at a point: the one whose footprint covers it or, for buildings without a footprint,
    whose point is within reach; the nearest location point wins, so the exact point of a search result
    (a building's own point) always finds that building."""
    near = Q(footprint__covers=point) | Q(footprint__isnull=True, point__dwithin=(point, POINT_REACH_DEGREES))
    return buildings_visible_to(user).filter(near).order_by(GeometryDistance("point", point), "pk").first()
