"""网格地图: the map page every user opens first. The other pages live in their apps (geogrid/<app>/views.py);
maps/ keeps this page, the shell template (base.html, the top bar, the map assets) and the shared scripts."""
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def grid_map(request: HttpRequest) -> HttpResponse:
    """网格地图: every user's map of the grids in their area."""
    return render(request, "maps/map.html")
