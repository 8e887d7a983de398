"""/api/v1/circles/: walking networks, service-circle runs (queue one, poll its progress), their coverage
tables per grid/community/street, map data (GeoJSON) and the XLSX workbook. Every read is cut to the user's
area (selectors); a run can only be asked for an area inside it."""
from typing import Any

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from geogrid.accounts.selectors import area_code_prefix, area_of
from geogrid.areas.models import Area
from geogrid.circles.candidates import MAX_CANDIDATES, candidates_from_list
from geogrid.circles.models import CircleRun, WalkingNetwork
from geogrid.circles.selectors import LEVELS, coverage_table, run_geojson, run_json, run_xlsx, runs_visible_to
from geogrid.circles.services import CirclesError, queue_run
from geogrid.core.api import ErrorSerializer, FiniteFloatField, Input, StrictCharField, validated
from geogrid.coverage.api import FORMATS, GeoJSONRenderer
from geogrid.stations.models import ServiceStation

MAX_NEW_SITES = 50
ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _run(request: Request, pk: int) -> CircleRun:
    return get_object_or_404(runs_visible_to(request.user), pk=pk)


class RunOutput(serializers.Serializer):
    """A run's state (`selectors.run_json`): the page's progress bar polls it."""

    id = serializers.IntegerField()
    status = serializers.ChoiceField(CircleRun.Status.choices)
    status_label = serializers.CharField()
    progress = serializers.IntegerField()
    stage = serializers.CharField()
    finished = serializers.BooleanField()
    error = serializers.CharField()
    mode = serializers.CharField()
    unit = serializers.CharField()
    bands = serializers.ListField(child=serializers.FloatField())
    band_labels = serializers.ListField(child=serializers.CharField())
    weight = serializers.CharField()
    station_kind = serializers.CharField()
    new_sites = serializers.IntegerField()
    target_share = serializers.FloatField(allow_null=True)
    area = serializers.CharField(allow_null=True)
    network = serializers.CharField()
    created_at = serializers.CharField()
    summary = serializers.JSONField()
    candidates = serializers.IntegerField()
    candidate_crs = serializers.CharField()


class NetworksView(APIView):
    throttle_classes = [UserRateThrottle]

    @extend_schema_serializer(component_name="CirclesNetworksOutput")
    class OutputSerializer(serializers.ModelSerializer):
        vertices = serializers.IntegerField(source="vertex_count")
        edges = serializers.IntegerField(source="edge_count")

        class Meta:
            model = WalkingNetwork
            fields = ["id", "name", "source", "speed_mps", "tobler", "vertices", "edges", "length_km", "created_at"]

    @extend_schema(operation_id="circles_networks", responses={200: OutputSerializer(many=True), **ERRORS})
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(WalkingNetwork.objects.all(), many=True).data)


class RunsView(APIView):
    """GET: the user's visible runs, newest first. POST: queue a run -> 201 with its state (poll RunView).

    POST body: network, area, station_kind, mode, weight, new_sites, target_share, and optionally
    `candidates` ([[lon, lat], ...]) with their `crs` (cgcs2000 by default; wgs84, gcj02, bd09, EPSG:code):
    the sites are then chosen among these points.
    """

    throttle_classes = [UserRateThrottle]

    @extend_schema_serializer(component_name="CirclesRunsInput")
    class InputSerializer(Input):
        network = serializers.PrimaryKeyRelatedField(queryset=WalkingNetwork.objects.all(), required=False,
                                                     allow_null=True, help_text="默认：第一个路网")
        area = StrictCharField(required=False, allow_blank=True, max_length=30, help_text="默认：用户的工作区域")
        station_kind = serializers.ChoiceField(["", *ServiceStation.Kind.values], required=False, default="")
        mode = serializers.ChoiceField(CircleRun.Mode.values, required=False, default=CircleRun.Mode.TIME)
        weight = serializers.ChoiceField(CircleRun.Weight.values, required=False, default=CircleRun.Weight.HOUSEHOLDS)
        new_sites = serializers.IntegerField(required=False, allow_null=True, default=0, min_value=0,
                                             max_value=MAX_NEW_SITES)
        target_share = FiniteFloatField(required=False, allow_null=True, default=None, min_value=0.0, max_value=1.0)
        candidates = serializers.ListField(
            child=serializers.ListField(child=FiniteFloatField(), min_length=2, max_length=2),
            required=False, allow_empty=False, max_length=MAX_CANDIDATES, help_text="[[经度, 纬度], ...]")
        crs = StrictCharField(required=False, allow_null=True, allow_blank=True, max_length=30)

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            attrs["new_sites"] = attrs["new_sites"] or 0
            if attrs.get("candidates") and not (attrs["new_sites"] or attrs["target_share"]):
                raise serializers.ValidationError({"candidates": [serializers.ErrorDetail(
                    "给定候选站点时请填写新增站点数或目标覆盖率", code="needs_sites")]})
            return attrs

    @extend_schema(operation_id="circles_runs_list", responses={200: RunOutput(many=True), **ERRORS})
    def get(self, request: Request) -> Response:
        return Response([run_json(run) for run in runs_visible_to(request.user)[:50]])

    @extend_schema(operation_id="circles_run_create", request=InputSerializer, responses={201: RunOutput, **ERRORS})
    def post(self, request: Request) -> Response:
        prefix = area_code_prefix(request.user)
        if prefix is None:
            raise PermissionDenied("您没有工作区域")
        data = validated(self.InputSerializer, request.data)
        network = data.get("network") or WalkingNetwork.objects.first()
        if network is None:
            raise CirclesError("没有步行路网，请先建立", code="no_network", field="network")
        code = data.get("area") or (area_of(request.user).code if prefix else "")
        area = Area.objects.filter(code=code).first() if code else None
        if code and area is None:
            raise CirclesError("未知的区划代码", code="unknown_area", field="area")
        if area is not None and not area.code.startswith(prefix):
            raise PermissionDenied("无权计算该区域")
        candidates = candidates_from_list(data["candidates"], data.get("crs")) if data.get("candidates") else None
        run = queue_run(user=request.user, network=network, area=area, station_kind=data["station_kind"],
                        mode=data["mode"], weight=data["weight"], new_sites=data["new_sites"],
                        target_share=data["target_share"], candidates=candidates)
        run.refresh_from_db()
        return Response(run_json(run), status=201)


class RunView(APIView):
    throttle_classes = [UserRateThrottle]

    @extend_schema(operation_id="circles_run", responses={200: RunOutput, **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        return Response(run_json(_run(request, pk)))


class CoverageTableView(APIView):
    """?level=grid|community|street (default grid)."""

    throttle_classes = [UserRateThrottle]

    class QuerySerializer(Input):
        level = serializers.ChoiceField(list(LEVELS), required=False, default="grid")

    @extend_schema_serializer(component_name="CirclesCoverageTableOutput")
    class OutputSerializer(serializers.Serializer):
        level = serializers.CharField()
        rows = serializers.ListField(child=serializers.DictField())
        run = RunOutput()

    @extend_schema(operation_id="circles_run_coverage", parameters=[QuerySerializer],
                   responses={200: OutputSerializer, **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        level = validated(self.QuerySerializer, request.query_params)["level"]
        run = _run(request, pk)
        return Response({"level": level, "rows": coverage_table(run, request.user, level), "run": run_json(run)})


class MapView(APIView):
    """The run's layers as one FeatureCollection (`?format=geojson` downloads it as application/geo+json)."""

    renderer_classes = [JSONRenderer, GeoJSONRenderer]
    throttle_classes = [UserRateThrottle]

    class QuerySerializer(Input):
        format = serializers.ChoiceField(FORMATS, required=False)

    @extend_schema_serializer(component_name="CirclesMapOutput")
    class OutputSerializer(serializers.Serializer):
        type = serializers.CharField()
        features = serializers.ListField(child=serializers.DictField(),
                                         help_text="properties.type: station, isochrone, building, site")

    @extend_schema(operation_id="circles_run_map", parameters=[QuerySerializer],
                   responses={200: OutputSerializer, **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        validated(self.QuerySerializer, request.query_params)
        run = _run(request, pk)
        response = Response(run_geojson(run, request.user))
        if request.accepted_renderer.format == GeoJSONRenderer.format:
            response["Content-Disposition"] = f'attachment; filename="service-circles-{run.pk}.geojson"'
        return response


class ExportView(APIView):
    throttle_classes = [UserRateThrottle]

    @extend_schema(operation_id="circles_run_export",
                   responses={(200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="XLSX workbook"),
                              **ERRORS})
    def get(self, request: Request, pk: int) -> HttpResponse:
        run = _run(request, pk)
        response = HttpResponse(run_xlsx(run, request.user), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="service-circles-{run.pk}.xlsx"'
        return response
