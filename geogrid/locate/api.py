"""GET /api/v1/locate?lon=..&lat=..&crs=..: public, rate-limited point lookup (like MapIt's /point)."""
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from geogrid.core.crs import CoordinateError, parse_point
from geogrid.locate.selectors import AreaRef, locate, staff_as_seen_by


def _area(area: AreaRef | None) -> dict | None:
    return None if area is None else {"code": area.code, "name": area.name}


class LocateView(APIView):
    """Which street, community, grids (finest level first), business grids and staff serve a point."""

    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle, UserRateThrottle]

    def get(self, request: Request) -> Response:
        try:
            parsed = parse_point(request.query_params.get("lon"), request.query_params.get("lat"),
                                 request.query_params.get("crs"))
        except CoordinateError as error:
            return Response({"error": str(error)}, status=400)
        loc = locate(parsed.point)
        body = {
            "covered": loc.covered,
            "point": {"lon": round(loc.point.x, 8), "lat": round(loc.point.y, 8), "crs": "cgcs2000"},
            "street": _area(loc.street),
            "community": _area(loc.community),
            "grids": [
                {"code": g.code, "name": g.name, "level": g.level, "kind": g.kind,
                 "households": g.household_count, "population": g.population}
                for g in loc.grids
            ],
            "business_grids": [
                {"department": b.department_name, "department_code": b.department_code, "code": b.code, "name": b.name}
                for b in loc.business_grids
            ],
            "staff": [
                {"role": m.role_label, "name": m.name, "post": m.post, "phone": m.phone}
                for m in staff_as_seen_by(loc, request.user)
            ],
            "on_boundary": loc.on_boundary,
        }
        if not loc.covered:
            body["message"] = "该位置不在任何网格内 / the point is not covered by any grid"
            nearest = loc.nearest_grid
            body["nearest_grid"] = None if nearest is None else {
                "code": nearest.code, "name": nearest.name, "level": nearest.level,
                "distance_m": loc.nearest_distance_m,
            }
        return Response(body)
