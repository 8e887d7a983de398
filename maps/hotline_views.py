"""待定位工单 (/events/unplaced): hotline tickets whose address matched no building, for the street centre to place
on the map. The view lists them; the page posts each placement to /api/v1/events/<id>/place, which checks the
role again and answers with the grid, community and unit the ticket was routed to."""
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from geogrid.events.hotline import unplaced_events

LIMIT = 500  # a queue longer than this is worked through from the oldest; the page says how many wait


@login_required
def unplaced_page(request: HttpRequest) -> HttpResponse:
    """The queue for those who may place tickets (the centre: review permission; superusers). Others see why
    the list is empty rather than a list they cannot act on."""
    may_place = request.user.is_superuser or request.user.has_perm("events.review_event")
    events = unplaced_events(request.user).select_related("category") if may_place else None
    return render(request, "maps/unplaced.html", {
        "may_place": may_place,
        "events": events[:LIMIT] if events is not None else [],
        "waiting": events.count() if events is not None else 0,
        "limit": LIMIT,
    })
