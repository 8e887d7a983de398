"""What the grid editor draws under a community's grids and snaps new boundaries to: building footprints,
roads and water around the community, and its boundary (read only).

    GET /api/v1/adjustments/<community>/surroundings   {buildings, roads, water, boundary}: GeoJSON in CGCS2000

The layers come from `geogrid.areas.selectors.surroundings`, shared with the printable plan; scoped like every
other editor endpoint (`selectors.may_edit`).
"""
from rest_framework.request import Request
from rest_framework.response import Response

from geogrid.adjustments.api import EditorView, _community
from geogrid.areas.selectors import surroundings


class SurroundingsView(EditorView):
    def get(self, request: Request, code: str) -> Response:
        return Response(surroundings(_community(request, code), building_fields=("address", "households")))
