"""GET /api/v1/building?id=.. or ?lon=..&lat=..: one building's details for the map.

By id when the user clicks a building (the buildings tile carries the id); by point for a search result,
whose location is the building's own point. Logged-in users only, inside their area: any other building is a
404, the same answer as a building that does not exist. A building holds no personal data (counts only), so
nothing is masked.
"""
from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from geogrid.buildings.models import Building
from geogrid.buildings.selectors import building_at, building_by_id
from geogrid.core.api import DomainError, ErrorSerializer, validated
from geogrid.locate.api import AreaRefOutput, PointInput, PointOutput, point_of

MAX_ID = 2**63 - 1


class BuildingInput(PointInput):
    """Either `id`, or a point (lon, lat, crs)."""

    id = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lon"].required = self.fields["lat"].required = False

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "id" not in attrs and not ("lon" in attrs and "lat" in attrs):
            raise serializers.ValidationError({"id": [serializers.ErrorDetail("请给出 id 或 lon、lat", code="required")]})
        return attrs


class BuildingGridOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.IntegerField()


class BuildingOutput(serializers.ModelSerializer):
    use_label = serializers.CharField(source="get_use_display")
    community = AreaRefOutput(allow_null=True)
    grids = serializers.SerializerMethodField(help_text="最细一级在前")
    point = serializers.SerializerMethodField()
    bbox = serializers.SerializerMethodField(help_text="[xmin, ymin, xmax, ymax]（CGCS2000）")

    class Meta:
        model = Building
        fields = ["id", "address", "use", "use_label", "floors", "households", "resident_households", "population",
                  "community", "grids", "point", "bbox"]

    @extend_schema_field(BuildingGridOutput(many=True))
    def get_grids(self, building: Building) -> list[dict]:
        return [BuildingGridOutput(g).data for g in (building.grid_l3, building.grid_l2, building.grid_l1) if g]

    @extend_schema_field(PointOutput)
    def get_point(self, building: Building) -> dict:
        return {"lon": round(building.point.x, 8), "lat": round(building.point.y, 8), "crs": "cgcs2000"}

    @extend_schema_field(serializers.ListField(child=serializers.FloatField(), allow_null=True))
    def get_bbox(self, building: Building) -> list[float] | None:
        return [round(v, 8) for v in building.footprint.extent] if building.footprint else None


class BuildingView(APIView):
    """A building's address, use, floors, households, residents and the grids it is counted in."""

    throttle_classes = [UserRateThrottle]

    @extend_schema(operation_id="building", parameters=[BuildingInput],
                   responses={200: BuildingOutput, 400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer})
    def get(self, request: Request) -> Response:
        data = validated(BuildingInput, request.query_params)
        if "id" in data:
            building = building_by_id(request.user, data["id"])
        else:
            building = building_at(request.user, point_of(data).point)
        if building is None:
            raise DomainError("未找到该房屋", code="not_found", status=404)
        return Response(BuildingOutput(building).data)
