"""覆盖校验 page: the view renders the template; data comes from /api/v1/coverage."""
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from geogrid.accounts.selectors import area_of
from geogrid.areas.models import Area


@login_required
def coverage_map(request: HttpRequest) -> HttpResponse:
    """覆盖校验: the coverage problems of an area (the user's own by default) on a map, listed beside it."""
    home = area_of(request.user) or Area.objects.streets().order_by("code").first()
    area_code = request.GET.get("area") or (home.code if home else "")
    level = request.GET.get("level", "1")
    return render(request, "coverage/coverage.html", {"area_code": area_code, "level": level})
