"""GET /api/v1/locate?lon=..&lat=..&crs=..: public, rate-limited point lookup (like MapIt's /point)."""
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from geogrid.core.api import DomainError, ErrorSerializer, Input, StrictCharField, validated
from geogrid.core.crs import CoordinateError, ParsedPoint, parse_point
from geogrid.locate.selectors import locate, staff_as_seen_by

NOT_COVERED = "该位置不在任何网格内"


class PointInput(Input):
    """A point in the query string: lon, lat and their coordinate system (default cgcs2000)."""

    lon = StrictCharField(max_length=40, help_text="经度或投影 X")
    lat = StrictCharField(max_length=40, help_text="纬度或投影 Y")
    crs = StrictCharField(required=False, allow_blank=True, max_length=40,
                          help_text="cgcs2000（默认）、wgs84、gcj02、bd09 或 EPSG:代码")


def point_of(data: dict[str, Any]) -> ParsedPoint:
    """The stored point of validated PointInput data, or 400 `invalid_coordinates` with the reason."""
    try:
        return parse_point(data["lon"], data["lat"], data.get("crs"))
    except CoordinateError as error:
        raise DomainError(str(error), code="invalid_coordinates") from None


class AreaRefOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class PointOutput(serializers.Serializer):
    lon = serializers.FloatField()
    lat = serializers.FloatField()
    crs = serializers.CharField()


class LocateGridOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.IntegerField()
    kind = serializers.CharField()
    households = serializers.IntegerField(source="household_count")
    population = serializers.IntegerField()


class LocateBusinessGridOutput(serializers.Serializer):
    department = serializers.CharField(source="department_name")
    department_code = serializers.CharField()
    code = serializers.CharField()
    name = serializers.CharField()


class LocateStaffOutput(serializers.Serializer):
    role = serializers.CharField(source="role_label")
    name = serializers.CharField()
    post = serializers.CharField()
    phone = serializers.CharField(help_text="权限外的电话号码已脱敏")


class LocateNearestGridOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.IntegerField()
    distance_m = serializers.FloatField()


class LocateOutput(serializers.Serializer):
    covered = serializers.BooleanField()
    point = PointOutput()
    street = AreaRefOutput(allow_null=True)
    community = AreaRefOutput(allow_null=True)
    grids = LocateGridOutput(many=True, help_text="最细一级在前")
    business_grids = LocateBusinessGridOutput(many=True)
    staff = LocateStaffOutput(many=True)
    on_boundary = serializers.BooleanField()
    message = serializers.CharField(required=False, help_text="未覆盖时的说明")
    nearest_grid = LocateNearestGridOutput(required=False, allow_null=True, help_text="未覆盖时：最近的网格")


class LocateView(APIView):
    """Which street, community, grids (finest level first), business grids and staff serve a point."""

    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle, UserRateThrottle]

    @extend_schema(operation_id="locate", parameters=[PointInput],
                   responses={200: LocateOutput, 400: ErrorSerializer, 429: ErrorSerializer})
    def get(self, request: Request) -> Response:
        loc = locate(point_of(validated(PointInput, request.query_params)).point)
        body = {
            "covered": loc.covered,
            "point": {"lon": round(loc.point.x, 8), "lat": round(loc.point.y, 8), "crs": "cgcs2000"},
            "street": loc.street,
            "community": loc.community,
            "grids": loc.grids,
            "business_grids": loc.business_grids,
            "staff": staff_as_seen_by(loc, request.user),
            "on_boundary": loc.on_boundary,
        }
        if not loc.covered:
            body["message"] = NOT_COVERED
            nearest = loc.nearest_grid
            body["nearest_grid"] = None if nearest is None else {
                "code": nearest.code, "name": nearest.name, "level": nearest.level,
                "distance_m": loc.nearest_distance_m,
            }
        return Response(LocateOutput(body).data)
