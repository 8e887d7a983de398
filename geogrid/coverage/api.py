"""GET /api/v1/coverage?area=CODE[&level=N][&format=json|geojson][&repair=1]: coverage problems of an area.

`format` is DRF's own format suffix parameter: the view offers a JSON and a GeoJSON renderer and builds the
matching body (an `Accept: application/geo+json` header works as well). `repair=1` returns the repair
preview of one level (level 1 unless given) instead of the report; it never writes. The query string goes
through `CoverageView.QuerySerializer`; errors answer in the shared shape {code, message, field}.
"""
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from geogrid.areas.models import Area
from geogrid.core.api import DomainError, ErrorSerializer, Input, StrictBooleanField, StrictCharField, validated
from geogrid.coverage.selectors import may_validate, validate_coverage
from geogrid.coverage.services import propose_repair
from geogrid.grids.models import Grid

FORMATS = ("json", "geojson")


class GeoJSONRenderer(JSONRenderer):
    media_type = "application/geo+json"
    format = "geojson"


class CoverageView(APIView):
    """Problems (or a repair preview) for an area inside the user's scope: 400 for an unknown area or level,
    403 for an area outside the scope."""

    renderer_classes = [JSONRenderer, GeoJSONRenderer]
    throttle_classes = [UserRateThrottle]

    class QuerySerializer(Input):
        area = StrictCharField(max_length=30)
        level = serializers.ChoiceField(Grid.Level.values, required=False)
        format = serializers.ChoiceField(FORMATS, required=False)
        repair = StrictBooleanField(required=False, default=False)

    @extend_schema_serializer(component_name="CoverageCoverageOutput")
    class OutputSerializer(serializers.Serializer):
        area = serializers.CharField(required=False)
        problems = serializers.ListField(child=serializers.DictField(), required=False)
        type = serializers.CharField(required=False, help_text="FeatureCollection with ?format=geojson")
        features = serializers.ListField(child=serializers.DictField(), required=False)

    @extend_schema(operation_id="coverage", parameters=[QuerySerializer],
                   responses={200: OutputSerializer, 400: ErrorSerializer, 403: ErrorSerializer})
    def get(self, request: Request) -> Response:
        query = validated(self.QuerySerializer, request.query_params)
        area = Area.objects.filter(code=query["area"]).first()
        if area is None:
            raise DomainError("未知的区划代码", code="unknown_area", field="area")
        if not may_validate(request.user, area):
            raise DomainError("无权查看该区域", code="permission_denied", field="area", status=403)
        level = int(query["level"]) if "level" in query else None
        if query["repair"]:
            result = propose_repair(area_code=area.code, level=level or Grid.Level.ONE)
        else:
            result = validate_coverage(area.code, level)
        geojson = request.accepted_renderer.format == GeoJSONRenderer.format
        return Response(result.as_geojson() if geojson else result.as_json())
