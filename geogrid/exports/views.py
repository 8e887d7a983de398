"""The export page: pick what, which format, which CRS and which area; the file downloads at once."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render

from geogrid.exports.forms import ExportForm
from geogrid.exports.selectors import exports_by
from geogrid.exports.services import ExportError, export_for_user


def download(exported) -> FileResponse:
    return FileResponse(exported.open_and_forget(), as_attachment=True, filename=exported.filename,
                        content_type=exported.content_type)


def run_form(form: ExportForm, user) -> FileResponse | None:
    """The download for a valid form, or None with the reason added to the form's errors."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    try:
        exported = export_for_user(user, data["target"], data["format"], data["parsed_crs"],
                                   area_code=data["area"] or None, department_code=data["department"] or None)
    except ExportError as error:
        form.add_error(None, ValidationError(str(error), code=error.code))
        return None
    return download(exported)


@login_required
def export_page(request: HttpRequest) -> HttpResponse:
    """数据导出."""
    form = ExportForm(request.POST or None, user=request.user)
    if request.method == "POST":
        response = run_form(form, request.user)
        if response is not None:
            return response
    status = 400 if form.errors else 200
    return render(request, "exports/export.html", {"form": form, "records": exports_by(request.user)[:20]},
                  status=status)
