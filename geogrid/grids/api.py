"""Grid layers as GeoJSON for the map (until vector tiles arrive with the web-map issue)."""
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework_gis.serializers import GeoFeatureModelSerializer

from geogrid.grids.models import Grid, GridQuerySet
from geogrid.grids.selectors import grids_visible_to


class GridFeatureSerializer(GeoFeatureModelSerializer):
    community = serializers.CharField(source="community.name")

    class Meta:
        model = Grid
        geo_field = "geom"
        fields = ["id", "code", "name", "kind", "exclusive_type", "level", "setting", "community",
                  "building_count", "household_count", "resident_household_count", "population"]


class GridGeoJSONView(ListAPIView):
    """Current grids the user may see, as a GeoJSON FeatureCollection; `?level=1` filters by level."""

    serializer_class = GridFeatureSerializer
    pagination_class = None

    def get_queryset(self) -> GridQuerySet:
        level = self.request.query_params.get("level")
        return grids_visible_to(self.request.user, level=int(level) if level and level.isdigit() else None)
