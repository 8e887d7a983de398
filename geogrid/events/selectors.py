"""Reads about tickets: who is responsible, who may see and act on them, nearby duplicates."""
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point
from django.contrib.gis.measure import D
from django.db.models import Q, QuerySet

from geogrid.accounts.selectors import area_code_prefix, scope_of
from geogrid.areas.models import Area
from geogrid.events.models import Event, EventCategory, Responsibility
from geogrid.events.workflow import CENTRE, DEPARTMENT, OPEN, WORKER


def category_chain(category: EventCategory) -> list[EventCategory]:
    """The category and its ancestors, the category first."""
    chain = [category]
    while chain[-1].parent_id is not None:
        chain.append(chain[-1].parent)
    return chain


def responsibility_for(category: EventCategory, area: Area | None) -> Responsibility | None:
    """The 归口办理 row that applies to a ticket of this category in this area (a community or a street).

    The most specific category wins (a child's own row over its parent's); for one category, the row of the
    smallest area containing the place wins over a street's, and any area's over the default (no area)."""
    codes = []
    while area is not None:
        codes.append(area.code)
        area = area.parent
    for candidate in category_chain(category):
        rows = {r.area.code if r.area_id else None: r
                for r in candidate.responsibilities.filter(Q(area__isnull=True) | Q(area__code__in=codes))
                .select_related("area", "department")}
        for code in (*codes, None):  # smallest area first
            if code in rows:
                return rows[code]
    return None


def events_visible_to(user: User | AnonymousUser) -> QuerySet[Event]:
    """Tickets a user may see: all for superusers; a department's user those routed to the department;
    an area's user those in the area (by the routing snapshot); nothing without a scope."""
    events = Event.objects.select_related("category", "department", "grid", "community", "street")
    if not user.is_authenticated or not user.is_active:
        return events.none()
    if user.is_superuser:
        return events
    scope = scope_of(user)
    if scope is not None and scope.department_id is not None:
        return events.filter(department_id=scope.department_id)
    prefix = area_code_prefix(user)
    if prefix is None:
        return events.none()
    return events.filter(Q(community__code__startswith=prefix) | Q(community__isnull=True, street__code__startswith=prefix))


def roles_of(user: User | AnonymousUser, event: Event) -> set[str]:
    """What the user is for this ticket: the centre (review permission over its place), the department it is
    routed to, a grid worker of its place (any user whose area covers it, and its reporter)."""
    if not user.is_authenticated or not user.is_active:
        return set()
    if user.is_superuser:
        return {CENTRE, DEPARTMENT, WORKER}
    roles = set()
    scope = scope_of(user)
    if scope is not None and scope.department_id is not None and scope.department_id == event.department_id:
        roles.add(DEPARTMENT)
    prefix = area_code_prefix(user)
    place = event.community or event.street
    if prefix is not None and scope is not None and scope.area_id is not None and place is not None \
            and place.code.startswith(prefix):
        roles.add(WORKER)
        if user.has_perm("events.review_event"):
            roles.add(CENTRE)
    if event.reported_by_id == user.pk:
        roles.add(WORKER)
    return roles


def can_see_reporter(user: User | AnonymousUser, event: Event) -> bool:
    """Reporters' names and phones are shown unmasked to the centre only."""
    return CENTRE in roles_of(user, event)


def nearby_open_duplicates(location: Point, category: EventCategory, exclude: int | None = None) -> QuerySet[Event]:
    """Open tickets of the same category within `GEOGRID_DUPLICATE_RADIUS_M` metres, nearest first: suggested
    as duplicates (FixMyStreet suggests within about 50 m). Distances on the ellipsoid, not in degrees."""
    radius = settings.GEOGRID_DUPLICATE_RADIUS_M
    index_box = radius / 50_000  # degrees, generous at any Chinese latitude: lets the index pick candidates
    return (Event.objects.filter(category=category, status__in=OPEN, merged_into__isnull=True,
                                 location__dwithin=(location, index_box), location__distance_lte=(location, D(m=radius)))
            .exclude(pk=exclude)
            .annotate(distance=Distance("location", location))
            .order_by("distance", "pk"))
