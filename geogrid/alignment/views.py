"""多网合一 page: the view renders the template; data comes from /api/v1/alignment/."""
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from geogrid.accounts.selectors import departments_visible_to, roles_allowed


APPLY = "departments.change_businessgrid"  # what applying auto-align writes (the API checks the same)


@login_required
def alignment_page(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """多网合一: a department's business grids coloured by how well they follow the base grids, the pieces
    that disagree, and the auto-align preview (applied from here by users who may change business grids)."""
    departments = departments_visible_to(request.user).order_by("code")
    department = get_object_or_404(departments, code=code) if code else departments.first()
    applied = request.GET.get("applied", "")
    return render(request, "alignment/alignment.html", {
        "departments": departments, "department": department, "applied": int(applied) if applied.isdigit() else None,
        "may_apply": request.user.has_perm(APPLY), "who_may_apply": roles_allowed(APPLY)})
