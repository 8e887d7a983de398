"""What the grid editor draws under a community's grids and snaps new boundaries to: building footprints,
roads and water around the community, and its boundary (read only).

    GET /api/v1/adjustments/<community>/surroundings   {buildings, roads, water, boundary}: GeoJSON in CGCS2000

Kept apart from selectors.py and api.py so the editor's page can grow without touching the editing backend;
scoped like every other editor endpoint (`selectors.may_edit`).
"""
import json
from typing import Any

from django.contrib.gis.db.models.functions import AsGeoJSON
from django.db.models import QuerySet
from rest_framework.request import Request
from rest_framework.response import Response

from geogrid.adjustments.api import EditorView, _community
from geogrid.areas.models import Area
from geogrid.buildings.models import Building
from geogrid.roads.models import Road, Water

LIMIT = 5000  # features per layer: the editor snaps to every one, so keep it to about one community


def surroundings(community: Area) -> dict[str, Any]:
    """Buildings, roads and water meeting the community's bounding box, and its boundary, as
    FeatureCollections (lon/lat, CGCS2000)."""
    around = community.geom.envelope
    return {
        "buildings": _collection(Building.objects.filter(footprint__intersects=around), "footprint",
                                 ["address", "households"]),
        "roads": _collection(Road.objects.filter(geom__intersects=around), "geom", ["name", "kind"]),
        "water": _collection(Water.objects.filter(geom__intersects=around), "geom", ["name"]),
        "boundary": _collection(Area.objects.filter(pk=community.pk), "geom", ["name"]),
    }


def _collection(rows: QuerySet, geometry: str, fields: list[str]) -> dict[str, Any]:
    values = (rows.filter(**{f"{geometry}__isnull": False}).order_by("pk")
              .annotate(geojson=AsGeoJSON(geometry, precision=7)).values("geojson", *fields)[:LIMIT])
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": json.loads(row.pop("geojson")), "properties": row} for row in values]}


class SurroundingsView(EditorView):
    def get(self, request: Request, code: str) -> Response:
        return Response(surroundings(_community(request, code)))
