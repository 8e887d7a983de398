"""15分钟服务圈 page: the view renders the template; data comes from /api/v1/circles/."""
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from geogrid.circles.models import CircleRun, WalkingNetwork
from geogrid.circles.selectors import runs_visible_to
from geogrid.stations.models import ServiceStation

# The systems a planner's points come in: surveys (CGCS2000), GPS (WGS84), Amap/Tencent (GCJ-02), Baidu (BD-09).
CANDIDATE_CRS = [("cgcs2000", "CGCS2000"), ("wgs84", "WGS84（GPS）"), ("gcj02", "GCJ-02（高德、腾讯）"),
                 ("bd09", "BD-09（百度）")]


@login_required
def circles_page(request: HttpRequest) -> HttpResponse:
    """Stations, isochrone bands, buildings by walking time, uncovered households and suggested sites of one
    run (the newest the user may see, or ?run=ID), and the form that queues a new one."""
    runs = runs_visible_to(request.user)[:20]
    chosen = request.GET.get("run", "")
    run = next((r for r in runs if str(r.pk) == chosen), None) if chosen.isdigit() else (runs[0] if runs else None)
    return render(request, "circles/circles.html", {
        "runs": runs, "run": run, "networks": WalkingNetwork.objects.all(),
        "station_kinds": ServiceStation.Kind.choices, "modes": CircleRun.Mode.choices,
        "weights": CircleRun.Weight.choices, "candidate_crs": CANDIDATE_CRS,
    })
