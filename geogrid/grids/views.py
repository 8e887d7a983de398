"""网格划分平面图 page: one community's grids, laid out for printing (geogrid.grids.plan builds it)."""
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from geogrid.accounts.selectors import area_code_prefix
from geogrid.areas.models import Area
from geogrid.grids.plan import community_plan


@login_required
def plan_page(request: HttpRequest, code: str) -> HttpResponse:
    """网格划分平面图: one community's grids with their codes and a legend, laid out for printing."""
    community = get_object_or_404(Area.objects.communities(), code=code)
    prefix = area_code_prefix(request.user)
    if prefix is None or not community.code.startswith(prefix):
        raise Http404("not in your area")
    plan = community_plan(community, request.user)
    return render(request, "grids/plan.html", {"plan": plan, "map_data": plan.map_data(),
                                                "today": timezone.localdate()})
