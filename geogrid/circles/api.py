"""/api/v1/circles/: walking networks, service-circle runs (queue one, poll its progress), their coverage
tables per grid/community/street, map data (GeoJSON) and the XLSX workbook. Every read is cut to the user's
area (selectors); a run can only be asked for an area inside it."""
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from geogrid.accounts.selectors import area_code_prefix, area_of
from geogrid.areas.models import Area
from geogrid.circles.candidates import candidates_from_list
from geogrid.circles.models import CircleRun, WalkingNetwork
from geogrid.circles.selectors import LEVELS, coverage_table, run_geojson, run_json, run_xlsx, runs_visible_to
from geogrid.circles.services import start_run
from geogrid.coverage.api import GeoJSONRenderer
from geogrid.stations.models import ServiceStation

MAX_NEW_SITES = 50


def _run(request: Request, pk: int) -> CircleRun:
    return get_object_or_404(runs_visible_to(request.user), pk=pk)


class NetworksView(APIView):
    throttle_classes = [UserRateThrottle]

    def get(self, request: Request) -> Response:
        return Response([{"id": n.pk, "name": n.name, "source": n.source, "speed_mps": n.speed_mps, "tobler": n.tobler,
                          "vertices": n.vertex_count, "edges": n.edge_count, "length_km": n.length_km,
                          "created_at": n.created_at.isoformat()} for n in WalkingNetwork.objects.all()])


class RunsView(APIView):
    """GET: the user's visible runs, newest first. POST: queue a run -> 201 with its state (poll RunView).

    POST body: network, area, station_kind, mode, weight, new_sites, target_share, and optionally
    `candidates` ([[lon, lat], ...]) with their `crs` (cgcs2000 by default; wgs84, gcj02, bd09, EPSG:code):
    the sites are then chosen among these points.
    """

    throttle_classes = [UserRateThrottle]

    def get(self, request: Request) -> Response:
        return Response([run_json(run) for run in runs_visible_to(request.user)[:50]])

    def post(self, request: Request) -> Response:
        prefix = area_code_prefix(request.user)
        if prefix is None:
            return Response({"error": "您没有工作区域 / you have no area"}, status=403)
        data = request.data
        network = (WalkingNetwork.objects.filter(pk=data["network"]).first() if data.get("network")
                   else WalkingNetwork.objects.first())
        if network is None:
            return Response({"error": "没有步行路网，请先建立 / no walking network: build one first"}, status=400)
        code = data.get("area") or (area_of(request.user).code if prefix else "")
        area = Area.objects.filter(code=code).first() if code else None
        if code and area is None:
            return Response({"error": "未知的区划代码 / unknown area code"}, status=400)
        if area is not None and not area.code.startswith(prefix):
            return Response({"error": "无权计算该区域 / area outside your scope"}, status=403)
        try:
            run = CircleRun(
                network=network, area=area, user=request.user,
                station_kind=_choice(data.get("station_kind", ""), ["", *ServiceStation.Kind.values], "station_kind"),
                mode=_choice(data.get("mode", CircleRun.Mode.TIME), CircleRun.Mode.values, "mode"),
                weight=_choice(data.get("weight", CircleRun.Weight.HOUSEHOLDS), CircleRun.Weight.values, "weight"),
                new_sites=_number(data.get("new_sites") or 0, int, 0, MAX_NEW_SITES, "new_sites"),
                target_share=_number(data["target_share"], float, 0.0, 1.0, "target_share")
                if data.get("target_share") not in (None, "") else None,
            )
            if data.get("candidates"):  # [[lon, lat], ...] in `crs` (default cgcs2000), instead of network vertices
                if not (run.new_sites or run.target_share):
                    raise ValueError("给定候选站点时请填写新增站点数或目标覆盖率"
                                     " / candidates need new_sites or target_share")
                for name, value in candidates_from_list(data["candidates"], data.get("crs")).run_fields().items():
                    setattr(run, name, value)
        except ValueError as error:  # CandidateError among them
            return Response({"error": str(error)}, status=400)
        run.save()
        start_run(run)
        run.refresh_from_db()
        return Response(run_json(run), status=201)


def _choice(value: str, allowed: list[str], name: str) -> str:
    if value not in allowed:
        raise ValueError(f"{name} 只能是 {'、'.join(a or '（空）' for a in allowed)} / {name} must be one of {allowed}")
    return value


def _number(value, kind: type, low: float, high: float, name: str):
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} 必须是数字 / {name} must be a number") from None
    if not low <= number <= high:
        raise ValueError(f"{name} 应在 {low} 与 {high} 之间 / {name} must be between {low} and {high}")
    return number


class RunView(APIView):
    throttle_classes = [UserRateThrottle]

    def get(self, request: Request, pk: int) -> Response:
        return Response(run_json(_run(request, pk)))


class CoverageTableView(APIView):
    """?level=grid|community|street (default grid)."""

    throttle_classes = [UserRateThrottle]

    def get(self, request: Request, pk: int) -> Response:
        level = request.query_params.get("level", "grid")
        if level not in LEVELS:
            return Response({"error": "level 只能是 grid、community、street"}, status=400)
        run = _run(request, pk)
        return Response({"level": level, "rows": coverage_table(run, request.user, level), "run": run_json(run)})


class MapView(APIView):
    """The run's layers as one FeatureCollection (`?format=geojson` downloads it as application/geo+json)."""

    renderer_classes = [JSONRenderer, GeoJSONRenderer]
    throttle_classes = [UserRateThrottle]

    def get(self, request: Request, pk: int) -> Response:
        run = _run(request, pk)
        response = Response(run_geojson(run, request.user))
        if request.accepted_renderer.format == GeoJSONRenderer.format:
            response["Content-Disposition"] = f'attachment; filename="service-circles-{run.pk}.geojson"'
        return response


class ExportView(APIView):
    throttle_classes = [UserRateThrottle]

    def get(self, request: Request, pk: int) -> HttpResponse:
        run = _run(request, pk)
        response = HttpResponse(run_xlsx(run, request.user),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="service-circles-{run.pk}.xlsx"'
        return response
