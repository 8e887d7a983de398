"""GET /api/v1/search?q=...: grids, buildings or a coordinate pair for the map's search box."""
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from geogrid.core.api import ErrorSerializer, Input, StrictCharField, validated
from geogrid.search.selectors import search

MAX_QUERY = 100


class SearchInput(Input):
    q = StrictCharField(required=False, allow_blank=True, default="", max_length=MAX_QUERY,
                        help_text="网格编码或名称、房屋地址，或一对坐标（经度,纬度）")


class SearchHitOutput(serializers.Serializer):
    kind = serializers.ChoiceField(["grid", "building", "point"])
    label = serializers.CharField()
    detail = serializers.CharField()
    lon = serializers.FloatField()
    lat = serializers.FloatField()
    bbox = serializers.ListField(child=serializers.FloatField(), min_length=4, max_length=4, allow_null=True,
                                 help_text="[xmin, ymin, xmax, ymax]（CGCS2000）")
    code = serializers.CharField(allow_null=True)


class SearchOutput(serializers.Serializer):
    results = SearchHitOutput(many=True)


class SearchView(APIView):
    throttle_classes = [UserRateThrottle]

    @extend_schema(operation_id="search", parameters=[SearchInput],
                   responses={200: SearchOutput, 400: ErrorSerializer, 403: ErrorSerializer})
    def get(self, request: Request) -> Response:
        query = validated(SearchInput, request.query_params)["q"]
        return Response(SearchOutput({"results": search(request.user, query)}).data)
