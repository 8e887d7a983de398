"""Grid layers as GeoJSON for the map (until vector tiles arrive with the web-map issue)."""
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from geogrid.core.api import ErrorSerializer, Input, validated
from geogrid.grids.models import Grid, GridQuerySet
from geogrid.grids.selectors import grids_visible_to


class GridFeatureSerializer(GeoFeatureModelSerializer):
    community = serializers.CharField(source="community.name")

    class Meta:
        model = Grid
        geo_field = "geom"
        fields = ["id", "code", "name", "kind", "exclusive_type", "level", "setting", "community",
                  "building_count", "household_count", "resident_household_count", "population"]


class GridLayerInput(Input):
    level = serializers.ChoiceField(Grid.Level.choices, required=False, allow_blank=True, help_text="只要这一层级")


class GridGeoJSONView(ListAPIView):
    """Current grids the user may see, as a GeoJSON FeatureCollection; `?level=1` filters by level."""

    serializer_class = GridFeatureSerializer
    pagination_class = None

    @extend_schema(operation_id="grids_geojson", parameters=[GridLayerInput],
                   responses={200: GridFeatureSerializer(many=True), 400: ErrorSerializer, 403: ErrorSerializer})
    def get(self, request: Request) -> Response:
        self.level = validated(GridLayerInput, request.query_params).get("level") or None
        return super().get(request)

    def get_queryset(self) -> GridQuerySet:
        return grids_visible_to(self.request.user, level=self.level)
