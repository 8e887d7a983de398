"""Tile coordinates of the Web Mercator tile pyramid (EPSG:3857, XYZ numbering, y down from the north).

The arithmetic here only sizes things (pixel size, simplification tolerance, raster windows); every spatial
test against our data is done by PostGIS with `ST_TileEnvelope`, so the two can never disagree about which
features a tile holds.
"""
import math
from dataclasses import dataclass

# Half the width of the Web Mercator square, in metres (EPSG:3857).
ORIGIN_SHIFT = 20037508.342789244
TILE_PX = 256
# MVT geometry is written on a 4096 grid per tile, with a 64-unit buffer so strokes and labels at a tile's
# edge are not cut off; the same buffer as a fraction of the tile is the `margin` of the tile's envelope.
MVT_EXTENT = 4096
MVT_BUFFER = 64
MARGIN = MVT_BUFFER / MVT_EXTENT
MAX_ZOOM = 22


@dataclass(frozen=True)
class TileCoord:
    z: int
    x: int
    y: int

    def is_valid(self) -> bool:
        """Inside the pyramid: 0 <= z <= MAX_ZOOM and x, y within the 2^z tiles of that zoom."""
        if not 0 <= self.z <= MAX_ZOOM:
            return False
        n = 1 << self.z
        return 0 <= self.x < n and 0 <= self.y < n

    @property
    def size_m(self) -> float:
        """Width (and height) of the tile in Web Mercator metres."""
        return 2 * ORIGIN_SHIFT / (1 << self.z)

    @property
    def pixel_m(self) -> float:
        """Web Mercator metres per screen pixel of a 256 px tile."""
        return self.size_m / TILE_PX

    def bounds_3857(self) -> tuple[float, float, float, float]:
        """(left, bottom, right, top) in EPSG:3857."""
        left = -ORIGIN_SHIFT + self.x * self.size_m
        top = ORIGIN_SHIFT - self.y * self.size_m
        return left, top - self.size_m, left + self.size_m, top

    def bounds_lonlat(self, margin: float = 0.0) -> tuple[float, float, float, float]:
        """(west, south, east, north) in degrees, grown by `margin` tile widths on each side (as
        `ST_TileEnvelope(..., margin => margin)` does)."""
        left, bottom, right, top = self.bounds_3857()
        grow = margin * self.size_m
        return (*mercator_to_lonlat(left - grow, bottom - grow), *mercator_to_lonlat(right + grow, top + grow))

    def centre_latitude(self) -> float:
        _, bottom, _, top = self.bounds_3857()
        return mercator_to_lonlat(0.0, (bottom + top) / 2)[1]


def mercator_to_lonlat(x: float, y: float) -> tuple[float, float]:
    lon = x / ORIGIN_SHIFT * 180.0
    lat = math.degrees(2 * math.atan(math.exp(y / ORIGIN_SHIFT * math.pi)) - math.pi / 2)
    return lon, lat


def tile_at(lon: float, lat: float, z: int) -> TileCoord:
    """The tile of zoom `z` containing the point."""
    n = 1 << z
    x = int((lon + 180.0) / 360.0 * n)
    lat_r = math.radians(lat)
    y = int((1.0 - math.asinh(math.tan(lat_r)) / math.pi) / 2.0 * n)
    return TileCoord(z, min(max(x, 0), n - 1), min(max(y, 0), n - 1))


def tiles_covering(west: float, south: float, east: float, north: float, z: int) -> list[TileCoord]:
    """Every tile of zoom `z` overlapping the lon/lat box, row by row."""
    top_left, bottom_right = tile_at(west, north, z), tile_at(east, south, z)
    return [TileCoord(z, x, y) for y in range(top_left.y, bottom_right.y + 1)
            for x in range(top_left.x, bottom_right.x + 1)]
