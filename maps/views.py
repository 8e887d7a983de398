"""The web map pages. Views only render templates; data comes from /api/v1/."""
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def grid_map(request: HttpRequest) -> HttpResponse:
    """网格地图: every user's map of the grids in their area."""
    return render(request, "maps/map.html")
