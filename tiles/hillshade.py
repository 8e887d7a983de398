"""The shaded relief of a DEM, made once with GDAL's own tools into a Cloud-Optimised GeoTIFF beside the DEM.

`gdalwarp` puts the DEM on Web Mercator (the tiles' grid, so serving a tile only resamples), `gdaldem hillshade`
shades it (Horn's method, light from the north-west 45 degrees above the horizon: the cartographic convention),
`gdal_translate -of COG` writes it with overviews. The COG carries the DEM's fingerprint and the z factor it
was shaded with (`SOURCE_TAG`): a hillshade made from another version of the DEM, or with another z factor, is
out of date. Web Mercator stretches ground distances by 1/cos(latitude): `-s cos(latitude of the DEM's
centre)` gives the slopes on the ground (a county spans a fraction of a degree, so one factor fits it).

Values: 0 is no data (outside the DEM), 1..255 the illumination 0..1 as `1 + 254 * shade`.
"""
import math
import os
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

import rasterio
from rasterio.errors import RasterioIOError
from rasterio.warp import transform_bounds

AZIMUTH_DEG = 315.0
ALTITUDE_DEG = 45.0
SOURCE_TAG = "GEOGRID_HILLSHADE_OF"


def source_fingerprint(path: Path) -> str:
    """Changes whenever the file is replaced (the demo writes its DEM atomically)."""
    stat = path.stat()
    return f"{stat.st_mtime_ns}-{stat.st_size}"


def hillshade_path(dem: Path) -> Path:
    """Where the hillshade of `dem` lives: beside it, like GDAL's own side files."""
    return dem.with_name(f"{dem.stem}.hillshade.tif")


def _source_tag(dem: Path, z_factor: float) -> str:
    return f"{source_fingerprint(dem)} z={z_factor:g}"


@lru_cache(maxsize=32)
def _recorded_tag(path: str, fingerprint: str) -> str | None:
    """The DEM version a hillshade file was made from, read once per version of the file."""
    try:
        with rasterio.open(path) as src:
            return src.tags().get(SOURCE_TAG)
    except RasterioIOError:
        return None


def hillshade_is_current(dem: Path, z_factor: float = 1.0) -> bool:
    """True when the hillshade beside `dem` was made from this version of it with this z factor."""
    shade = hillshade_path(dem)
    try:
        return _recorded_tag(str(shade), source_fingerprint(shade)) == _source_tag(dem, z_factor)
    except FileNotFoundError:
        return False


def _run(*command: str) -> None:
    subprocess.run(command, check=True, capture_output=True, text=True)


def build_hillshade(dem: Path, *, z_factor: float = 1.0) -> Path:
    """Shade `dem` into `hillshade_path(dem)`, replacing any previous file atomically (a tile server never
    reads half a file). Raises RasterioIOError when `dem` is not a raster, CalledProcessError when GDAL fails."""
    tag = _source_tag(dem, z_factor)  # before reading: a DEM replaced meanwhile leaves this one out of date
    with rasterio.open(dem) as src:
        _, south, _, north = transform_bounds(src.crs, "EPSG:4326", *src.bounds)
    scale = math.cos(math.radians((south + north) / 2))
    out = hillshade_path(dem)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=f".{out.name}.") as tmp:
        mercator, shade, partial = (os.path.join(tmp, name) for name in ("dem.vrt", "shade.tif", "cog.tif"))
        _run("gdalwarp", "-q", "-t_srs", "EPSG:3857", "-r", "cubicspline", "-of", "VRT", str(dem), mercator)
        _run("gdaldem", "hillshade", "-q", "-compute_edges", "-az", f"{AZIMUTH_DEG:g}", "-alt", f"{ALTITUDE_DEG:g}",
             "-z", f"{z_factor:g}", "-s", repr(scale), mercator, shade)
        _run("gdal_translate", "-q", "-of", "COG", "-co", "COMPRESS=DEFLATE", "-co", "BLOCKSIZE=256",
             "-co", "OVERVIEW_RESAMPLING=AVERAGE", "-mo", f"{SOURCE_TAG}={tag}", shade, partial)
        os.replace(partial, out)
    return out
