"""Raster tiles from GeoTIFFs: a 256x256 Web Mercator window of the file, styled with numpy, written as PNG.

The file is opened at the coarsest overview that is still at least as fine as the tile's pixels, so a
low-zoom tile reads a few kilobytes of a Cloud-Optimised GeoTIFF instead of the whole image, and is warped
into the tile with `rasterio.warp.reproject`. Pixels the file does not cover stay transparent.
"""
import os
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import rasterio
from rasterio.errors import NotGeoreferencedWarning
from rasterio.io import MemoryFile
from rasterio.transform import Affine
from rasterio.warp import Resampling, reproject, transform_bounds

from tiles.coords import TILE_PX, TileCoord
from tiles.layers import RasterSource

# Hillshade light: from the north-west, 45 degrees above the horizon (the cartographic convention).
AZIMUTH_DEG = 315.0
ALTITUDE_DEG = 45.0
# Paper colour of the shaded relief, close to the map's background (maps/static/maps/map.css).
PAPER_RGB = np.array([242, 240, 232], dtype=np.float32)
# The darkest a slope facing away from the light gets, as a share of the paper colour.
SHADOW_FLOOR = 0.72


def source_fingerprint(path: Path) -> str:
    """Changes whenever the file is replaced (the demo writes its DEM atomically): cached tiles of an older
    file are not served."""
    stat = path.stat()
    return f"{stat.st_mtime_ns}-{stat.st_size}"


@dataclass(frozen=True)
class FileInfo:
    bounds_3857: tuple[float, float, float, float]
    projected: bool
    res: float  # pixel width in the file's units
    overviews: list[int]  # decimation factors of band 1's overviews, finest first


@lru_cache(maxsize=32)
def _file_info(path: str, fingerprint: str) -> FileInfo:
    """What every tile of a file needs to know, read once per version of the file (`fingerprint` is part of
    the cache key): transforming the bounds alone costs ~40 ms, more than drawing a tile."""
    with rasterio.open(path) as src:
        return FileInfo(tuple(transform_bounds(src.crs, "EPSG:3857", *src.bounds)), src.crs.is_projected,
                        abs(src.res[0]), src.overviews(1))


def overview_level(factors: list[int], source_res: float, target_res: float) -> int | None:
    """Index of the coarsest overview whose pixels are no larger than the target's (None: full resolution).
    `factors` as `dataset.overviews(1)` lists them, finest first."""
    level = None
    for i, factor in enumerate(factors):
        if source_res * factor <= target_res:
            level = i
    return level


def read_window(path: Path, tile: TileCoord, bands: list[int], pad: int = 0) -> np.ndarray:
    """The file's `bands` warped onto the tile's pixel grid grown by `pad` pixels on each side, float32 with
    NaN where the file has no data. Shape (len(bands), 256 + 2 pad, 256 + 2 pad)."""
    size = TILE_PX + 2 * pad
    left, bottom, right, top = tile.bounds_3857()
    grow = pad * tile.pixel_m
    dst_transform = Affine(tile.pixel_m, 0.0, left - grow, 0.0, -tile.pixel_m, top + grow)
    out = np.full((len(bands), size, size), np.nan, dtype=np.float32)
    info = _file_info(str(path), source_fingerprint(path))
    west, south, east, north = info.bounds_3857
    if west >= right + grow or east <= left - grow or south >= top + grow or north <= bottom - grow:
        return out  # the tile misses the file: nothing to read
    # Pixel sizes compared in the file's own units: degrees for a lon/lat file (a Web Mercator pixel spans
    # 360 / 2^(z+8) degrees of longitude), metres otherwise.
    target = tile.pixel_m if info.projected else 360.0 / (TILE_PX << tile.z)
    level = overview_level(info.overviews, info.res, target)
    upsampling = info.res > target
    options = {} if level is None else {"overview_level": level}
    with rasterio.open(path, **options) as src:
        for i, band in enumerate(bands):
            reproject(
                rasterio.band(src, band), out[i], src_nodata=src.nodata, dst_transform=dst_transform,
                dst_crs="EPSG:3857", dst_nodata=np.nan,
                # Cubic spline when magnifying keeps slopes smooth (bilinear would shade the DEM's cells as
                # facets); averaging when shrinking.
                resampling=Resampling.cubic_spline if upsampling else Resampling.average,
            )
    return out


def hillshade(elevation: np.ndarray, pixel_m: float, z_factor: float = 1.0) -> np.ndarray:
    """Horn's hillshade of a padded elevation array (metres, 1 pixel of padding on each side) with square
    pixels of `pixel_m` ground metres. Returns 0..1 illumination, NaN where a neighbour is missing; a flat
    surface gets sin(altitude)."""
    e = elevation.astype(np.float64)
    a, b, c = e[:-2, :-2], e[:-2, 1:-1], e[:-2, 2:]
    d, f = e[1:-1, :-2], e[1:-1, 2:]
    g, h, i = e[2:, :-2], e[2:, 1:-1], e[2:, 2:]
    dz_dx = ((c + 2 * f + i) - (a + 2 * d + g)) / (8 * pixel_m) * z_factor
    dz_dy = ((g + 2 * h + i) - (a + 2 * b + c)) / (8 * pixel_m) * z_factor  # rows run south: +y is south
    slope = np.arctan(np.hypot(dz_dx, dz_dy))
    aspect = np.arctan2(dz_dy, -dz_dx)
    zenith = np.radians(90.0 - ALTITUDE_DEG)
    azimuth = np.radians((360.0 - AZIMUTH_DEG + 90.0) % 360.0)
    shade = np.cos(zenith) * np.cos(slope) + np.sin(zenith) * np.sin(slope) * np.cos(azimuth - aspect)
    return np.clip(shade, 0.0, 1.0)


def hillshade_rgba(elevation: np.ndarray, tile: TileCoord, z_factor: float = 1.0) -> np.ndarray:
    """Shaded relief on the paper colour: flat ground is paper, slopes away from the light darker, slopes
    facing it a little lighter. Transparent outside the DEM."""
    ground_m = tile.pixel_m * np.cos(np.radians(tile.centre_latitude()))  # Web Mercator stretches by 1/cos(lat)
    shade = hillshade(elevation, ground_m, z_factor)
    flat = np.sin(np.radians(ALTITUDE_DEG))
    light = np.where(np.isnan(shade), 0.0, SHADOW_FLOOR + (1.0 - SHADOW_FLOOR) * shade / flat)
    rgba = np.zeros((4, *shade.shape), dtype=np.uint8)
    rgba[:3] = np.clip(PAPER_RGB[:, None, None] * light[None], 0, 255).astype(np.uint8)
    rgba[3] = np.where(np.isnan(shade), 0, 255)
    return rgba


def rgb_rgba(bands: np.ndarray) -> np.ndarray:
    """An 8-bit orthophoto's first three bands, transparent where any is missing."""
    missing = np.isnan(bands).any(axis=0)
    rgba = np.zeros((4, *bands.shape[1:]), dtype=np.uint8)
    rgba[:3] = np.nan_to_num(np.clip(bands[:3], 0, 255)).astype(np.uint8)
    rgba[3] = np.where(missing, 0, 255)
    return rgba


def encode_png(rgba: np.ndarray) -> bytes:
    """PNG bytes through GDAL's PNG driver in memory (no Pillow needed). A tile is a plain picture: no
    georeferencing, and no .aux.xml side file (PAM off)."""
    with warnings.catch_warnings(), rasterio.Env(GDAL_PAM_ENABLED="NO"), MemoryFile() as memory:
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with memory.open(driver="PNG", width=rgba.shape[2], height=rgba.shape[1], count=4, dtype="uint8") as png:
            png.write(rgba)
        return memory.read()


@lru_cache(maxsize=1)
def empty_png() -> bytes:
    return encode_png(np.zeros((4, TILE_PX, TILE_PX), dtype=np.uint8))


def render_raster_tile(raster: RasterSource, tile: TileCoord) -> bytes:
    """The tile as PNG; a fully transparent one where the file has nothing."""
    if not os.path.exists(raster.path):
        return empty_png()
    if raster.style == "hillshade":
        elevation = read_window(raster.path, tile, [1], pad=1)[0]
        if np.isnan(elevation).all():
            return empty_png()
        return encode_png(hillshade_rgba(elevation, tile, raster.options.get("z_factor", 1.0)))
    bands = read_window(raster.path, tile, [1, 2, 3])
    if np.isnan(bands).all():
        return empty_png()
    return encode_png(rgb_rgba(bands))


def raster_bounds(path: Path) -> list[float] | None:
    """[west, south, east, north] of the file in degrees (for the map not to ask for tiles outside it)."""
    if not os.path.exists(path):
        return None
    with rasterio.open(path) as src:
        return [round(v, 7) for v in transform_bounds(src.crs, "EPSG:4326", *src.bounds)]
