"""Reads about areas."""
import json
from typing import Any

from django.contrib.gis.db.models.functions import AsGeoJSON
from django.db.models import QuerySet

from geogrid.areas.models import Area
from geogrid.buildings.models import Building
from geogrid.roads.models import Road, Water

SURROUNDINGS_LIMIT = 5000  # features per layer: about one community's worth


def surroundings(community: Area, building_fields: tuple[str, ...] = ()) -> dict[str, Any]:
    """What is drawn under a community's grids (the printable plan, the grid editor, which also snaps to it):
    buildings, roads and water meeting the community's bounding box, and its boundary, as GeoJSON
    FeatureCollections in CGCS2000 lon/lat, built by PostGIS."""
    around = community.geom.envelope
    return {
        "buildings": feature_collection(Building.objects.filter(footprint__intersects=around), "footprint",
                                        building_fields),
        "roads": feature_collection(Road.objects.filter(geom__intersects=around), "geom", ("name", "kind")),
        "water": feature_collection(Water.objects.filter(geom__intersects=around), "geom", ("name",)),
        "boundary": feature_collection(Area.objects.filter(pk=community.pk), "geom", ("name",)),
    }


def feature_collection(rows: QuerySet, geometry: str, fields: tuple[str, ...]) -> dict[str, Any]:
    """Rows with their geometry field as a FeatureCollection with these properties (at most SURROUNDINGS_LIMIT)."""
    values = (rows.filter(**{f"{geometry}__isnull": False}).order_by("pk")
              .annotate(geojson=AsGeoJSON(geometry, precision=7)).values("geojson", *fields)[:SURROUNDINGS_LIMIT])
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": json.loads(row.pop("geojson")), "properties": row} for row in values]}
