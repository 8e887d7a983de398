"""Raster tiles from GeoTIFFs through rio-tiler: `Reader(...).tile(x, y, z)` reads the 256x256 Web Mercator
window (from the overview that fits the zoom, as GDAL's warper picks it) and `ImageData.render` writes the PNG.
Pixels the file does not cover are transparent.

A "hillshade" raster is a DEM: its tiles are drawn from the shaded relief made once beside it
(`tiles.hillshade`), coloured by `HILLSHADE_COLORMAP`; an "rgb" raster is an 8-bit orthophoto's first three
bands. `raster_problem` says why a configured raster cannot be served (missing, unreadable, not shaded yet):
such a raster is left out of the map's catalogue and its tiles answer 404 with that code, never a 500.
"""
from functools import lru_cache
from pathlib import Path

import numpy as np
from django.utils.translation import gettext as _
from rasterio.crs import CRS
from rasterio.errors import RasterioIOError
from rio_tiler.errors import TileOutsideBounds
from rio_tiler.io import Reader
from rio_tiler.utils import render

from geogrid.core.api import DomainError
from tiles.coords import TILE_PX, TileCoord
from tiles.hillshade import ALTITUDE_DEG, hillshade_is_current, hillshade_path, source_fingerprint
from tiles.layers import RasterSource

# Paper colour of the shaded relief, close to the map's background (maps/static/maps/map.css).
PAPER_RGB = np.array([242, 240, 232], dtype=np.float64)
# The darkest a slope facing away from the light gets, as a share of the paper colour.
SHADOW_FLOOR = 0.72
WGS84 = CRS.from_epsg(4326)


def _hillshade_colormap() -> dict[int, tuple[int, int, int, int]]:
    """gdaldem's value (0: no data, 1..255: illumination 0..1) -> RGBA. Flat ground is paper, slopes away from
    the light darker, slopes facing it a little lighter; transparent outside the DEM."""
    flat = np.sin(np.radians(ALTITUDE_DEG))
    colormap = {0: (0, 0, 0, 0)}
    for value in range(1, 256):
        light = SHADOW_FLOOR + (1.0 - SHADOW_FLOOR) * ((value - 1) / 254) / flat
        r, g, b = np.clip(PAPER_RGB * light, 0, 255).astype(np.uint8)
        colormap[value] = (int(r), int(g), int(b), 255)
    return colormap


HILLSHADE_COLORMAP = _hillshade_colormap()


class RasterUnavailable(DomainError):
    """A configured raster that cannot be served; `code` says why."""

    code = "raster_missing"
    status = 404


def tile_path(raster: RasterSource) -> Path:
    """The file the tiles are drawn from."""
    return hillshade_path(raster.path) if raster.style == "hillshade" else raster.path


@lru_cache(maxsize=32)
def _bounds(path: str, fingerprint: str) -> tuple[float, float, float, float] | None:
    """[west, south, east, north] in degrees, None when GDAL cannot read the file as a raster. Read once per
    version of the file (`fingerprint` is part of the cache key)."""
    try:
        with Reader(path) as src:
            return tuple(round(v, 7) for v in src.get_geographic_bounds(WGS84))
    except RasterioIOError:
        return None


def _file_bounds(path: Path) -> tuple[float, float, float, float] | None:
    return _bounds(str(path), source_fingerprint(path))


def raster_problem(raster: RasterSource) -> RasterUnavailable | None:
    """Why the raster cannot be served now, None when it can."""
    try:
        if _file_bounds(raster.path) is None:
            return raster_unreadable(raster)
        if raster.style == "hillshade" and not (hillshade_is_current(raster.path, z_factor(raster))
                                                and _file_bounds(tile_path(raster))):
            return RasterUnavailable(_("The hillshade of the raster layer “{label}” has not been made yet: "
                                       "run manage.py prepare_rasters.").format(label=raster.label),
                                     code="raster_not_prepared")
    except FileNotFoundError:
        return raster_missing(raster)
    return None


def raster_missing(raster: RasterSource) -> RasterUnavailable:
    return RasterUnavailable(_("The file of the raster layer “{label}” is missing.").format(label=raster.label),
                             code="raster_missing")


def raster_unreadable(raster: RasterSource) -> RasterUnavailable:
    return RasterUnavailable(_("The file of the raster layer “{label}” is not a raster GDAL can read.")
                             .format(label=raster.label), code="raster_unreadable")


def z_factor(raster: RasterSource) -> float:
    return float(raster.options.get("z_factor", 1.0))


def raster_bounds(raster: RasterSource) -> list[float] | None:
    """[west, south, east, north] of the tiles' file in degrees (for the map not to ask for tiles outside it)."""
    try:
        bounds = _file_bounds(tile_path(raster))
    except FileNotFoundError:
        return None
    return list(bounds) if bounds else None


@lru_cache(maxsize=1)
def empty_png() -> bytes:
    return render(np.zeros((3, TILE_PX, TILE_PX), dtype=np.uint8), np.zeros((TILE_PX, TILE_PX), dtype=np.uint8))


def render_raster_tile(raster: RasterSource, tile: TileCoord) -> bytes:
    """The tile as RGBA PNG; a fully transparent one where the file has nothing. rasterio's and GDAL's errors
    (OSError, RasterioError, CPLE_BaseError) when the file cannot be read."""
    with Reader(str(tile_path(raster))) as src:
        # Cubic spline when magnifying keeps the relief smooth (other methods draw the file's cells as
        # blocks), averaging when shrinking. Pixel sizes compared in the file's own units: degrees for a
        # lon/lat file (a Web Mercator pixel spans 360 / 2^(z+8) degrees of longitude), metres otherwise.
        target = tile.pixel_m if src.dataset.crs.is_projected else 360.0 / (TILE_PX << tile.z)
        method = "cubic_spline" if abs(src.dataset.res[0]) > target else "average"
        options = {"tilesize": TILE_PX, "resampling_method": method, "reproject_method": method}
        try:
            if raster.style == "hillshade":
                return src.tile(tile.x, tile.y, tile.z, indexes=1, **options).render(
                    img_format="PNG", colormap=HILLSHADE_COLORMAP)
            bands = (1, 2, 3) if src.dataset.count >= 3 else (1, 1, 1)  # a one-band photo in grey
            return src.tile(tile.x, tile.y, tile.z, indexes=bands, **options).render(img_format="PNG")
        except TileOutsideBounds:
            return empty_png()
