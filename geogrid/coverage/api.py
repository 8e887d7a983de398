"""GET /api/v1/coverage?area=CODE[&level=N][&format=json|geojson][&repair=1]: coverage problems of an area.

`format` is DRF's own format suffix parameter: the view offers a JSON and a GeoJSON renderer and builds the
matching body (an `Accept: application/geo+json` header works as well). `repair=1` returns the repair
preview of one level (level 1 unless given) instead of the report; it never writes.
"""
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from geogrid.areas.models import Area
from geogrid.coverage.selectors import may_validate, validate_coverage
from geogrid.coverage.services import propose_repair
from geogrid.grids.models import Grid


class GeoJSONRenderer(JSONRenderer):
    media_type = "application/geo+json"
    format = "geojson"


class CoverageView(APIView):
    """Problems (or a repair preview) for an area inside the user's scope: 400 for an unknown area or level,
    403 for an area outside the scope."""

    renderer_classes = [JSONRenderer, GeoJSONRenderer]
    throttle_classes = [UserRateThrottle]

    def get(self, request: Request) -> Response:
        area = Area.objects.filter(code=request.query_params.get("area", "")).first()
        if area is None:
            return Response({"error": "未知的区划代码 / unknown area code"}, status=400)
        level_param = request.query_params.get("level", "")
        if level_param and level_param not in {str(v) for v in Grid.Level.values}:
            return Response({"error": "网格层级只能是 1、2、3 / level must be 1, 2 or 3"}, status=400)
        if not may_validate(request.user, area):
            return Response({"error": "无权查看该区域 / area outside your scope"}, status=403)
        level = int(level_param) if level_param else None
        if request.query_params.get("repair") == "1":
            result = propose_repair(area.code, level or Grid.Level.ONE)
        else:
            result = validate_coverage(area.code, level)
        geojson = request.accepted_renderer.format == GeoJSONRenderer.format
        return Response(result.as_geojson() if geojson else result.as_json())
