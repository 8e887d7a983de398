"""GET /api/v1/building?id=.. or ?lon=..&lat=..: one building's details for the map.

By id when the user clicks a building (the buildings tile carries the id); by point for a search result,
whose location is the building's own point. Logged-in users only, inside their area: any other building is a
404, the same answer as a building that does not exist. A building holds no personal data (counts only), so
nothing is masked.
"""
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from geogrid.areas.models import Area
from geogrid.buildings.models import Building
from geogrid.buildings.selectors import building_at, building_by_id
from geogrid.core.crs import CoordinateError, parse_point
from geogrid.grids.models import Grid


def _area(area: Area | None) -> dict | None:
    return None if area is None else {"code": area.code, "name": area.name}


def _grid(grid: Grid | None) -> dict | None:
    return None if grid is None else {"code": grid.code, "name": grid.name, "level": grid.level}


def _details(building: Building) -> dict:
    return {
        "id": building.pk,
        "address": building.address,
        "use": building.use,
        "use_label": building.get_use_display(),
        "floors": building.floors,
        "households": building.households,
        "resident_households": building.resident_households,
        "population": building.population,
        "community": _area(building.community),
        "grids": [g for g in map(_grid, (building.grid_l3, building.grid_l2, building.grid_l1)) if g],  # finest first
        "point": {"lon": round(building.point.x, 8), "lat": round(building.point.y, 8), "crs": "cgcs2000"},
        "bbox": [round(v, 8) for v in building.footprint.extent] if building.footprint else None,
    }


class BuildingView(APIView):
    """A building's address, use, floors, households, residents and the grids it is counted in."""

    throttle_classes = [UserRateThrottle]

    def get(self, request: Request) -> Response:
        params = request.query_params
        if params.get("id"):
            if not params["id"].isdigit():
                return Response({"error": "id 必须是整数 / id must be an integer"}, status=400)
            building = building_by_id(request.user, int(params["id"]))
        else:
            try:
                parsed = parse_point(params.get("lon"), params.get("lat"), params.get("crs"))
            except CoordinateError as error:
                return Response({"error": str(error)}, status=400)
            building = building_at(request.user, parsed.point)
        if building is None:
            return Response({"error": "未找到该房屋 / no such building in your area"}, status=404)
        return Response(_details(building))
