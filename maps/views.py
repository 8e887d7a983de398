"""The web map pages. Views only render templates; data comes from /api/v1/."""
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from geogrid.accounts.selectors import area_code_prefix, area_of, departments_visible_to
from geogrid.areas.models import Area
from geogrid.grids.plan import community_plan


@login_required
def grid_map(request: HttpRequest) -> HttpResponse:
    """网格地图: every user's map of the grids in their area."""
    return render(request, "maps/map.html")


@login_required
def coverage_map(request: HttpRequest) -> HttpResponse:
    """覆盖校验: the coverage problems of an area (the user's own by default) on a map, listed beside it."""
    home = area_of(request.user) or Area.objects.streets().order_by("code").first()
    area_code = request.GET.get("area") or (home.code if home else "")
    level = request.GET.get("level", "1")
    return render(request, "maps/coverage.html", {"area_code": area_code, "level": level})


@login_required
def plan_page(request: HttpRequest, code: str) -> HttpResponse:
    """网格划分平面图: one community's grids with their codes and a legend, laid out for printing."""
    community = get_object_or_404(Area.objects.communities(), code=code)
    prefix = area_code_prefix(request.user)
    if prefix is None or not community.code.startswith(prefix):
        raise Http404("not in your area")
    plan = community_plan(community, request.user)
    return render(request, "maps/plan.html", {"plan": plan, "map_data": plan.map_data(), "today": timezone.localdate()})


@login_required
def alignment_page(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """多网合一: a department's business grids coloured by how well they follow the base grids, the pieces
    that disagree, and the auto-align preview (applied from here by users who may change business grids)."""
    departments = departments_visible_to(request.user).order_by("code")
    department = get_object_or_404(departments, code=code) if code else departments.first()
    return render(request, "maps/alignment.html", {
        "departments": departments, "department": department,
        "may_apply": request.user.has_perm("departments.change_businessgrid")})
