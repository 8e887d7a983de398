"""Reads about tickets: who is responsible, who may see and act on them, nearby duplicates, hotline batches."""
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point
from django.contrib.gis.measure import D
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.utils import timezone

from geogrid.accounts.selectors import area_code_prefix, scope_of
from geogrid.areas.models import Area
from geogrid.departments.models import Department
from geogrid.events.models import Event, EventCategory, EventTransition, Responsibility
from geogrid.events.workflow import CENTRE, DEPARTMENT, OPEN, PLACEABLE, WORKER


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


def units_serving(street: Area | None) -> QuerySet[Department]:
    """The units a ticket of this street may be dispatched to: the street's own (departments of the street
    or an area inside it) and those of the areas above it (a county bureau serves all its streets); never
    another street's. None without a street (a ticket not yet placed)."""
    if street is None:
        return Department.objects.none()
    above, area = [], street.parent
    while area is not None:
        above.append(area.pk)
        area = area.parent
    return Department.objects.filter(Q(area__code__startswith=Area.code_prefix(street.code)) | Q(area__in=above))


def events_visible_to(user: User | AnonymousUser) -> QuerySet[Event]:
    """Tickets a user may see: all for superusers; a department's user those routed to the department;
    an area's user those in the area (by the routing snapshot) and those they reported; nothing without a
    scope."""
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
    return events.filter(Q(community__code__startswith=prefix) | Q(community__isnull=True, street__code__startswith=prefix)
                         | Q(reported_by=user))  # a worker's own report, wherever it was made


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


# ---- reads for the ticket pages (/report/, /events/) ----------------------------------------------------------

def category_picker() -> list[tuple[EventCategory, list[EventCategory]]]:
    """Active categories for a two-step picker: each top class with its active leaves under it (at any depth),
    in code order. One query: the tree is small, and walking it in memory beats a query per class. A leaf is
    what a ticket is filed under (the report form and Open311 accept leaves only), so top classes without
    active leaves are left out."""
    categories = {c.pk: c for c in EventCategory.objects.filter(active=True).order_by("code")}
    parents = {c.parent_id for c in categories.values()}
    groups: dict[int, list[EventCategory]] = {}
    for category in categories.values():
        if category.pk in parents or category.parent_id is None:
            continue
        top = category
        while top.parent_id is not None and top.parent_id in categories:
            top = categories[top.parent_id]
        if top.parent_id is None:  # a leaf under an inactive class is not offered
            groups.setdefault(top.pk, []).append(category)
    return [(categories[pk], leaves) for pk, leaves in groups.items()]


def reportable_categories() -> QuerySet[EventCategory]:
    """The categories a ticket may be filed under from the report page: active leaves of active classes, the
    ones `category_picker` offers (the tree has two levels)."""
    return EventCategory.objects.filter(active=True).exclude(children__active=True).exclude(parent__active=False)


def overdue_q(now: datetime | None = None) -> Q:
    """Open tickets past the deadline of their current stage."""
    return Q(status__in=OPEN, merged_into__isnull=True, due_at__lt=now or timezone.now())


def with_overdue(events: QuerySet[Event], now: datetime | None = None) -> QuerySet[Event]:
    """Annotate `overdue` so lists can mark late tickets without a per-row computation."""
    return events.annotate(overdue=ExpressionWrapper(overdue_q(now), output_field=BooleanField()))


def events_reported_by(user: User | AnonymousUser) -> QuerySet[Event]:
    """我的工单: the tickets the user filed, newest first, whatever area they are in now (a worker who moved
    still follows what they reported)."""
    if not user.is_authenticated:
        return Event.objects.none()
    return with_overdue(Event.objects.filter(reported_by=user)
                        .select_related("category", "grid", "community", "department"))


@dataclass(frozen=True)
class EventFilters:
    """The list filters as the page sends them (empty: no filter). `state` is a status or "open"."""

    state: str = ""
    category: str = ""  # a category code; a top class's code takes in its children
    overdue: bool = False
    department: str = ""  # a department code, or "none" for tickets no unit is responsible for yet


def filter_events(events: QuerySet[Event], filters: EventFilters, now: datetime | None = None) -> QuerySet[Event]:
    """Apply the ticket-list filters to an already scoped queryset (see `events_visible_to`)."""
    if filters.state == "open":
        events = events.filter(status__in=OPEN, merged_into__isnull=True)
    elif filters.state:
        events = events.filter(status=filters.state)
    if filters.category:
        events = events.filter(Q(category__code=filters.category) | Q(category__parent__code=filters.category))
    if filters.overdue:
        events = events.filter(overdue_q(now))
    if filters.department == "none":
        events = events.filter(department__isnull=True)
    elif filters.department:
        events = events.filter(department__code=filters.department)
    return with_overdue(events, now)


def departments_in(events: QuerySet[Event]) -> list[tuple[str, str]]:
    """(code, name) of the units the given tickets are routed to, for the department filter: only units the
    user can find tickets of, so a department user is offered just their own."""
    rows = (events.filter(department__isnull=False).order_by("department__code")
            .values_list("department__code", "department__name").distinct())
    return list(rows)


def event_transitions(event: Event) -> QuerySet[EventTransition]:
    """The ticket's steps, oldest first, with who took them."""
    return event.transitions.select_related("actor").order_by("at", "pk")


def unplaced_events(user: User) -> QuerySet[Event]:
    """待定位: the tickets without a location this user can see and may still place, oldest first (the
    longest-waiting caller first). The page offers them to the centre; `services.place` checks the role."""
    return (events_visible_to(user).filter(location__isnull=True, status__in=PLACEABLE, merged_into__isnull=True)
            .order_by("reported_at", "pk"))
