"""Search for the map's search box: grid codes and names, building addresses, or coordinates.

Everything found is inside the user's area (`area_code_prefix`), so search never reveals what the map
would not show. Chinese input arrives in many widths: the query is NFKC-normalised (full-width digits and
letters become ASCII, "１２号" finds "12号") and inner spaces are dropped.
"""
import re
import unicodedata
from dataclasses import asdict, dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Case, IntegerField, Q, Value, When

from geogrid.accounts.selectors import area_code_prefix
from geogrid.buildings.models import Building
from geogrid.grids.models import Grid

LIMIT = 10
# Two numbers: "108.68,26.95", "26.95 108.68", "108.68，26.95" (a full-width comma becomes "," under NFKC).
COORDINATES = re.compile(r"^\s*(-?\d{1,3}(?:\.\d+)?)\s*[,\s]\s*(-?\d{1,3}(?:\.\d+)?)\s*$")
CHINA_LON, CHINA_LAT = (73.0, 136.0), (3.0, 54.0)


@dataclass
class Hit:
    """One search result: what it is, a label, and where to put the map (a point or a bounding box)."""

    kind: str  # "grid", "building" or "point"
    label: str
    detail: str
    lon: float
    lat: float
    bbox: tuple[float, float, float, float] | None = None
    code: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def normalise(query: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", query))


def search(user: User | AnonymousUser, query: str) -> list[Hit]:
    """Coordinates first (when the query is a pair of numbers in China), then grids, then buildings."""
    prefix = area_code_prefix(user)
    text = unicodedata.normalize("NFKC", query).strip()
    if prefix is None or not text:
        return []
    point = _coordinates(text)
    if point is not None:
        return [point]
    text = normalise(text)
    return _grids(prefix, text) + _buildings(prefix, text)


def _coordinates(text: str) -> Hit | None:
    match = COORDINATES.match(text)
    if not match:
        return None
    a, b = float(match[1]), float(match[2])
    for lon, lat in ((a, b), (b, a)):  # either order: in China longitude and latitude ranges do not overlap
        if CHINA_LON[0] <= lon <= CHINA_LON[1] and CHINA_LAT[0] <= lat <= CHINA_LAT[1]:
            return Hit("point", f"{lon:.6f}, {lat:.6f}", "坐标（CGCS2000）", lon, lat)
    return None


def _grids(prefix: str, text: str) -> list[Hit]:
    grids = (Grid.objects.current().filter(community__code__startswith=prefix)
             .filter(Q(code__startswith=text) | Q(name__icontains=text)).select_related("community")
             .order_by("level", "code")[:LIMIT])
    hits = []
    for grid in grids:
        xmin, ymin, xmax, ymax = grid.geom.extent
        centre = grid.geom.point_on_surface
        hits.append(Hit("grid", f"{grid.name}（{grid.code}）", f"{grid.get_level_display()} · {grid.community.name}",
                        centre.x, centre.y, (xmin, ymin, xmax, ymax), grid.code))
    return hits


def _buildings(prefix: str, text: str) -> list[Hit]:
    exact_first = Case(When(address=text, then=Value(0)), default=Value(1), output_field=IntegerField())
    buildings = (Building.objects.filter(community__code__startswith=prefix, address__icontains=text)
                 .select_related("grid_l1").order_by(exact_first, "address")[:LIMIT])
    return [Hit("building", b.address, f"{b.households} 户 · {b.grid_l1.name if b.grid_l1 else '未入格'}",
                b.point.x, b.point.y, b.footprint.extent if b.footprint else None,
                b.grid_l1.code if b.grid_l1 else None) for b in buildings]
