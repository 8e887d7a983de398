"""The ticket pages: 上报事件 (/report/, phones first), 我的工单 (/report/mine), 工单列表 (/events/), one ticket
(/events/<id>) and 待定位工单 (/events/unplaced). Views validate and render; reads
come from geogrid.events.selectors, writes go through geogrid.events.services, and the workflow buttons post to
/api/v1/events/<id>/transitions.

待定位工单: hotline tickets (geogrid.hotline) whose address matched no building, for the street centre to place on the map; the page posts each placement to
/api/v1/events/<id>/place, which checks the role again and answers with where the ticket was routed.

The report form posts here, not to the Open311 endpoint: Open311 is the public, anonymous-rate-limited door
and its answer carries neither the grid nor the deadline the worker has to see; this view works with the
session's user (who may settle a ticket on the spot, NewReport.settled_note) and answers with the routing.
"""
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from geogrid.core.crs import ParsedPoint
from geogrid.core.masking import mask_name, mask_phone
from geogrid.events.forms import REPORT_CRS, ReportForm
from geogrid.events.models import Event, EventPhoto
from geogrid.events.selectors import (
    EventFilters, can_see_reporter, category_picker, departments_in, event_transitions, events_reported_by,
    events_visible_to, filter_events, nearby_open_duplicates, roles_of, units_serving, unplaced_events, with_overdue,
)
from geogrid.events.services import PHOTO_SIGNATURES, NewReport, ReportError, check_photos, report
from geogrid.events.workflow import ACTIONS, CENTRE, actions_for

PAGE_SIZE = 25
UNPLACED_LIMIT = 500  # a queue longer than this is worked through from the oldest; the page says how many wait
PHOTO_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WebP": "image/webp"}
# Steps the workflow table does not list: filing, and re-routing after a boundary change (services).
STEP_LABELS = {"report": "上报", "reroute": "网格调整后重新定位", "place": "地图定位",
               **{name: a.label for name, a in ACTIONS.items()}}
STATUS_LABELS = dict(Event.Status.choices)


def _form_errors(form: forms.Form) -> str:
    labels = {"category": "分类", "description": "描述", "lon": "经度", "lat": "纬度", "crs": "坐标系",
              "settled_note": "处置情况"}
    return "；".join(f"{labels[name] + '：' if name in labels else ''}{' '.join(errors)}"
                    for name, errors in form.errors.items())


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


@login_required
@require_http_methods(["GET", "POST"])
def report_page(request: HttpRequest) -> HttpResponse:
    """上报事件: GET the form; POST (from report.js) files the ticket and answers JSON with where it went."""
    if request.method == "GET":
        return render(request, "events/report.html", {
            "groups": category_picker(), "crs_choices": REPORT_CRS,
            "photos_max": settings.GEOGRID_REPORT_PHOTOS_MAX,
            "photo_max_bytes": settings.GEOGRID_REPORT_PHOTO_MAX_BYTES,
        })
    form = ReportForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"error": _form_errors(form)}, status=400)
    photos = request.FILES.getlist("photos")
    try:
        check_photos(photos)
    except ReportError as error:
        return JsonResponse({"error": str(error)}, status=400)
    data = form.cleaned_data
    point: ParsedPoint = data["point"]
    event, created = report(new=NewReport(
        category=data["category"], description=data["description"], point=point, address=data["address"],
        source=Event.Source.GRID_WORKER, client_id=data["client_id"] or None, photos=photos,
        reporter_name=(request.user.get_full_name() or request.user.get_username())[:50],
        settled_note=data["settled_note"] if data["settled"] else "",
    ), user=request.user)
    return JsonResponse({
        "id": event.pk, "created": created, "status": event.get_status_display(),
        "category": event.category.name,
        "grid": f"{event.grid.code} {event.grid.name}" if event.grid else None,
        "community": event.community.name if event.community else None,
        "department": event.department.name if event.department else None,
        "due_at": _local(event.due_at), "due_estimated": event.due_estimated,
        "routing_note": event.routing_note,
    }, status=201 if created else 200)


def _page(request: HttpRequest, events: QuerySet[Event]) -> Page:
    return Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))


@login_required
def report_mine(request: HttpRequest) -> HttpResponse:
    """我的工单: what the signed-in worker reported, with where each one stands."""
    return render(request, "events/report_mine.html", {"page": _page(request, events_reported_by(request.user))})


def _reporter(request: HttpRequest, event: Event) -> tuple[str, str]:
    """The reporter's name and phone as this user may see them (the centre only sees them in full)."""
    if can_see_reporter(request.user, event):
        return event.reporter_name, event.reporter_phone
    return mask_name(event.reporter_name), mask_phone(event.reporter_phone)


@login_required
def events_list(request: HttpRequest) -> HttpResponse:
    """工单列表: the tickets the user may see (centre: its area; a unit: those routed to it), filtered."""
    visible = events_visible_to(request.user)
    filters = EventFilters(state=request.GET.get("state", ""), category=request.GET.get("category", ""),
                           overdue=request.GET.get("overdue") == "1", department=request.GET.get("department", ""))
    page = _page(request, filter_events(visible, filters))
    for event in page.object_list:
        event.reporter_shown = _reporter(request, event)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "events/events.html", {
        "page": page, "filters": filters, "query": query.urlencode(), "statuses": Event.Status.choices,
        "groups": category_picker(), "departments": departments_in(visible),
        "unplaced": unplaced_events(request.user).count(),
    })


def _visible_event(request: HttpRequest, pk: int) -> Event:
    return get_object_or_404(with_overdue(events_visible_to(request.user)).select_related("reported_by"), pk=pk)


@login_required
def event_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One ticket: details, photos, map, steps, duplicates nearby and the buttons of the actions the user may
    take now (the API checks again when one is pressed: the page may be stale)."""
    event = _visible_event(request, pk)
    roles = roles_of(request.user, event)
    allowed = actions_for(event, roles)
    duplicates = [] if event.location is None or not event.is_open else \
        list(nearby_open_duplicates(event.location, event.category, exclude=event.pk)[:10])
    return render(request, "events/event.html", {
        "event": event, "reporter": _reporter(request, event),
        "transitions": [(t, STEP_LABELS.get(t.action, t.action), STATUS_LABELS.get(t.to_status, t.to_status))
                        for t in event_transitions(event)],
        "actions": [(name, ACTIONS[name]) for name in allowed if name != "merge"],
        "may_merge": "merge" in allowed, "duplicates": duplicates, "is_centre": CENTRE in roles,
        "departments": units_serving(event.street).order_by("code") if "dispatch" in allowed else [],
        "groups": category_picker() if "recategorise" in allowed else [],
        "photos": event.photos.order_by("uploaded_at", "pk"),
    })


@login_required
def event_photo(request: HttpRequest, pk: int, photo: int) -> FileResponse:
    """A ticket's photo, to those who may see the ticket. Served with the type its content has (checked at
    upload), never one guessed from the uploaded name: a file named .svg or .html must not run in the page."""
    event = _visible_event(request, pk)
    image = get_object_or_404(EventPhoto, pk=photo, event=event).image
    handle = image.open("rb")
    head = handle.read(12)
    handle.seek(0)
    kind = next((k for sig, k in PHOTO_SIGNATURES if head.startswith(sig)), None)
    if kind is None:
        handle.close()
        raise Http404("not an image")
    response = FileResponse(handle, content_type=PHOTO_TYPES[kind])
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def unplaced_page(request: HttpRequest) -> HttpResponse:
    """The queue for those who may place tickets (the centre: review permission; superusers). Others see why
    the list is empty rather than a list they cannot act on."""
    may_place = request.user.is_superuser or request.user.has_perm("events.review_event")
    events = unplaced_events(request.user).select_related("category") if may_place else None
    return render(request, "events/unplaced.html", {
        "may_place": may_place,
        "events": events[:UNPLACED_LIMIT] if events is not None else [],
        "waiting": events.count() if events is not None else 0,
        "limit": UNPLACED_LIMIT,
    })
