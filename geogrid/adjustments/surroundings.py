"""What the grid editor draws under a community's grids and snaps new boundaries to: building footprints,
roads and water around the community, and its boundary (read only).

    GET /api/v1/adjustments/<community>/surroundings   {buildings, roads, water, boundary}: GeoJSON in CGCS2000

The layers come from `geogrid.areas.selectors.surroundings`, shared with the printable plan; scoped like every
other editor endpoint (`selectors.may_edit`).
"""
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from geogrid.adjustments.api import ERRORS, EditorView, _community
from geogrid.areas.selectors import surroundings


class SurroundingsView(EditorView):
    @extend_schema_serializer(component_name="AdjustmentsSurroundingsOutput")
    class OutputSerializer(serializers.Serializer):
        buildings = serializers.JSONField(help_text="GeoJSON FeatureCollection (address, households)")
        roads = serializers.JSONField(help_text="GeoJSON FeatureCollection")
        water = serializers.JSONField(help_text="GeoJSON FeatureCollection")
        boundary = serializers.JSONField(help_text="GeoJSON FeatureCollection: the community")

    @extend_schema(operation_id="adjustments_surroundings", responses={200: OutputSerializer, **ERRORS})
    def get(self, request: Request, code: str) -> Response:
        layers = surroundings(_community(request, code), building_fields=("address", "households"))
        return Response(self.OutputSerializer(layers).data)
