"""热线工单导入 (/events/hotline): the centre uploads a 12345 batch, imported by the background worker.

待定位工单 (/events/unplaced): hotline tickets whose address matched no building, for the street centre to place
on the map. The view lists them; the page posts each placement to /api/v1/events/<id>/place, which checks the
role again and answers with the grid, community and unit the ticket was routed to."""
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from geogrid.events.forms import HotlineUploadForm
from geogrid.events.hotline import unplaced_events
from geogrid.events.hotline_services import queue_hotline_upload
from geogrid.events.selectors import hotline_batches, hotline_streets

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


@login_required
@permission_required("events.review_event", raise_exception=True)
def hotline_page(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """热线工单导入: the centre uploads a 12345 batch; the background worker imports it. After an upload the
    page follows that batch (/events/hotline/<id>): a progress bar, then its counts or its row errors."""
    batches = hotline_batches(request.user)
    batch = get_object_or_404(batches, pk=pk) if pk is not None else None
    form = HotlineUploadForm(request.POST or None, request.FILES or None, streets=hotline_streets(request.user))
    if request.method == "POST" and form.is_valid():
        job = queue_hotline_upload(form.cleaned_data["file"], user=request.user, street=form.queue_street,
                                   dry_run=form.cleaned_data["dry_run"], encoding=form.cleaned_data["encoding"] or None)
        return redirect("events-hotline-batch", pk=job.pk)
    return render(request, "maps/hotline.html", {"form": form, "batch": batch, "batches": batches[:20]})
