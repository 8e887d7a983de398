"""热线工单导入 (/events/hotline): the centre uploads a 12345 batch, imported by the background worker."""
from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from geogrid.hotline.forms import HotlineUploadForm
from geogrid.hotline.selectors import hotline_batches, hotline_streets
from geogrid.hotline.services import queue_hotline_upload


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
    return render(request, "hotline/hotline.html", {"form": form, "batch": batch, "batches": batches[:20]})
