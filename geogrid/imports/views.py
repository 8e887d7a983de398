"""The upload page and the page that follows one import (pages only translate HTTP)."""
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.timezone import localtime

from geogrid.accounts.decorators import page_permission_required
from geogrid.hotline.selectors import HOTLINE_TARGET
from geogrid.imports.forms import ImportForm
from geogrid.imports.models import ImportJob
from geogrid.imports.selectors import jobs_visible_to
from geogrid.imports.services import ImportOptions, queue_upload

COUNTS = (("created", "新增"), ("updated", "更新"), ("unchanged", "未变"), ("ended", "终止"))
DRY_COUNTS = (("would_create", "将新增"), ("would_update", "将更新"), ("unchanged", "未变"), ("would_end", "将终止"))
REQUEST_COUNTS = (("would_create", "批准后新增"), ("would_update", "批准后更新"), ("unchanged", "未变"),
                  ("would_end", "批准后终止"))
PROBLEMS = (("error", "错误", "errors"), ("warning", "警告", "warnings"), ("repair", "修复", "repairs"))


def counts_of(job: ImportJob) -> list[tuple[str, str, int]]:
    """(key, label, number) of what the import wrote, or for a dry run what it would write."""
    labels = {ImportJob.Status.CHECKED: DRY_COUNTS, ImportJob.Status.SUBMITTED: REQUEST_COUNTS}.get(job.status, COUNTS)
    return [(key, label, job.counts.get(key, 0)) for key, label in labels]


def summary_of(job: ImportJob) -> str:
    """One line on the outcome ('' while the job runs)."""
    counts = job.counts
    if job.status == ImportJob.Status.FAILED:
        return f"导入失败，数据库未作任何改动（{counts.get('errors', 0)} 个错误）"
    if job.status == ImportJob.Status.CHECKED:
        return (f"试导入通过：将写入 {counts.get('would_create', 0) + counts.get('would_update', 0)} 条（未写入）"
                f"{warned(job)}")
    if job.status == ImportJob.Status.SUBMITTED:
        request = job.change_request
        return (f"已提交调整申请 #{request.pk}（{request.get_status_display()}）：网格在街道网格中心批准后才改变，"
                f"驳回则保持不变{warned(job)}")
    if job.status == ImportJob.Status.SUCCEEDED:
        return f"已导入 {counts.get('created', 0)} 条，更新 {counts.get('updated', 0)} 条{warned(job)}"
    if job.status == ImportJob.Status.UNDONE:
        return f"已撤销（{localtime(job.undone_at):%Y-%m-%d %H:%M}，{job.undone_by or '命令行'}）" if job.undone_at else "已撤销"
    return ""


def warned(job: ImportJob) -> str:
    return f"；{job.counts['warnings']} 个警告，请查看报告" if job.counts.get("warnings") else ""


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
    rows = [(job, counts_of(job) if job.finished_at else []) for job in jobs]
    return render(request, "imports/upload.html", {"form": form, "rows": rows})


@page_permission_required("imports.add_importjob")
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One import: a progress bar while it runs, then its counts, every problem (errors, overlap and gap
    warnings, repairs) and, for a succeeded import, its undo button."""
    job = get_object_or_404(jobs_visible_to(request.user), pk=pk)
    report = job.report or {}
    problems = [(kind, label, report.get(key, [])) for kind, label, key in PROBLEMS]
    return render(request, "imports/job.html", {
        "job": job, "counts": counts_of(job) if job.finished_at else [], "summary": summary_of(job),
        "problems": problems, "notes": report.get("notes", [])})
