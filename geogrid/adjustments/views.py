"""网格编辑 and 调整审批 pages. Views only render templates (and refuse communities the user may not edit);
the pages work through /api/v1/adjustments/ (geogrid/adjustments/api.py)."""
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from geogrid.accounts.selectors import area_code_prefix, area_of
from geogrid.adjustments.selectors import may_edit
from geogrid.areas.models import Area


def _editable_communities(request: HttpRequest) -> list[Area]:
    prefix = area_code_prefix(request.user)
    if prefix is None:
        return []
    communities = Area.objects.filter(kind__in=Area.COMMUNITY_KINDS, code__startswith=prefix).order_by("code")
    return [c for c in communities if may_edit(request.user, c)]


@login_required
def editor_home(request: HttpRequest) -> HttpResponse:
    """/editor/: straight to the user's own community, else a list of the communities they may edit."""
    home = area_of(request.user)
    if home is not None and home.kind in Area.COMMUNITY_KINDS and may_edit(request.user, home):
        return redirect("editor", code=home.code)
    return render(request, "adjustments/editor_picker.html", {"communities": _editable_communities(request)})


@login_required
def editor(request: HttpRequest, code: str) -> HttpResponse:
    """网格编辑: one community's grids as a draft, edited with the tools and submitted for approval."""
    community = get_object_or_404(Area.objects.filter(kind__in=Area.COMMUNITY_KINDS), code=code)
    if not may_edit(request.user, community):
        return render(request, "adjustments/editor_picker.html",
                      {"refused": community, "communities": _editable_communities(request)}, status=403)
    return render(request, "adjustments/editor.html", {"community": community})


@login_required
def adjustments(request: HttpRequest) -> HttpResponse:
    """调整审批: pending change requests for the street's grid centre; everyone else sees their own."""
    prefix = area_code_prefix(request.user)
    approver = prefix is not None and request.user.has_perm("adjustments.approve_changerequest")
    names = dict(Area.objects.filter(kind__in=Area.COMMUNITY_KINDS, code__startswith=prefix or "")
                 .values_list("code", "name")) if prefix is not None else {}
    return render(request, "adjustments/adjustments.html", {"approver": approver, "community_names": names})
