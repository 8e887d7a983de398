"""The upload page and the page that follows one import (pages only translate HTTP)."""
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from geogrid.accounts.decorators import page_permission_required
from geogrid.events.selectors import HOTLINE_TARGET
from geogrid.imports.forms import ImportForm
from geogrid.imports.selectors import jobs_visible_to
from geogrid.imports.services import ImportOptions, queue_upload


@page_permission_required("imports.add_importjob")
def upload(request: HttpRequest) -> HttpResponse:
    """数据导入: choose a file and what it holds; the import runs in the background worker."""
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        department = data["department"]
        options = ImportOptions(target=data["target"], crs=data["crs"] or None, layer=data["layer"] or None,
                                encoding=data["encoding"] or None, mapping=data["mapping"],
                                department_code=department.code if department else None,
                                fix=data["fix"], dry_run=data["dry_run"], constants=data["constants"],
                                mode=data["mode"], key=data["key"] or None)
        job = queue_upload(data["file"], options, request.user)
        return redirect("import-job", pk=job.pk)
    jobs = jobs_visible_to(request.user).exclude(target=HOTLINE_TARGET)[:20]  # those have their own page
    return render(request, "imports/upload.html", {"form": form, "jobs": jobs})


@page_permission_required("imports.add_importjob")
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One import: a progress bar while it runs, then its report."""
    job = get_object_or_404(jobs_visible_to(request.user), pk=pk)
    return render(request, "imports/job.html", {"job": job})
