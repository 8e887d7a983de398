"""Writes: tiles are served from the cache, or rendered and cached on the way out; hillshades made from DEMs."""
from pathlib import Path

from django.db import connection
from rasterio._err import CPLE_BaseError
from rasterio.errors import RasterioError, RasterioIOError

from tiles.coords import TileCoord
from tiles.hillshade import build_hillshade, hillshade_is_current, source_fingerprint
from tiles.layers import ENVELOPE_SQL, RasterSource, Tileset, raster_sources
from tiles.raster import raster_missing, raster_problem, raster_unreadable, render_raster_tile, tile_path, z_factor
from tiles.selectors import cached_tile, render_vector_tile, tile_params, tileset_epoch

# Cache a vector tile only if no edit of its tileset happened or is under way since the epoch was read:
# SKIP LOCKED finds no row while an unfinished edit holds it, a changed epoch finds none either, and the
# share lock then keeps an edit's trigger from deleting before this row is committed (it waits for it).
STORE_VECTOR_SQL = f"""
WITH unchanged AS (
    SELECT 1 FROM tiles_tilesetepoch WHERE tileset = %(tileset)s AND epoch = %(epoch)s FOR SHARE SKIP LOCKED)
INSERT INTO tiles_tile (tileset, scope, z, x, y, envelope, data, source)
SELECT %(tileset)s, %(scope)s, %(z)s, %(x)s, %(y)s, {ENVELOPE_SQL}, %(data)s, '' FROM unchanged
ON CONFLICT (tileset, scope, z, x, y) DO NOTHING
"""

# Raster tiles depend on a file, not on tables: a tile drawn from an older version of the file is replaced.
STORE_RASTER_SQL = f"""
INSERT INTO tiles_tile (tileset, scope, z, x, y, envelope, data, source)
VALUES (%(tileset)s, '', %(z)s, %(x)s, %(y)s, {ENVELOPE_SQL}, %(data)s, %(source)s)
ON CONFLICT (tileset, scope, z, x, y) DO UPDATE SET data = EXCLUDED.data, source = EXCLUDED.source,
    created_at = now()
"""


def raster_cache_name(raster: RasterSource) -> str:
    return f"raster:{raster.name}"


def vector_tile(tileset: Tileset, tile: TileCoord, scope: str) -> bytes:
    """The tile from the cache, or rendered by PostGIS and cached."""
    data = cached_tile(tileset.name, scope, tile)
    if data is None:
        epoch = tileset_epoch(tileset.name)  # before rendering: an edit after this point skips the cache
        data = render_vector_tile(tileset, tile, scope)
        if epoch is not None:
            store_vector_tile(tileset.name, scope, tile, data, epoch)
    return data


def store_vector_tile(tileset: str, scope: str, tile: TileCoord, data: bytes, epoch: int) -> bool:
    """Cache a tile rendered after the tileset's epoch was `epoch`. False when it was not cached (an edit
    happened or is under way since, or another request cached it first)."""
    params = {**tile_params(tile, scope), "tileset": tileset, "epoch": epoch, "data": data, "scope": scope}
    with connection.cursor() as cursor:
        cursor.execute(STORE_VECTOR_SQL, params)
        return cursor.rowcount == 1


def raster_tile(raster: RasterSource, tile: TileCoord) -> bytes:
    """The PNG tile from the cache when drawn from the current file, else rendered and cached.
    `tiles.raster.RasterUnavailable` when the raster cannot be served (also when its file disappears or
    turns unreadable between the check and the read)."""
    if problem := raster_problem(raster):
        raise problem
    try:
        name, source = raster_cache_name(raster), source_fingerprint(tile_path(raster))
        data = cached_tile(name, "", tile, source=source)
        if data is not None:
            return data
        data = render_raster_tile(raster, tile)
    except (OSError, RasterioError, CPLE_BaseError) as error:  # gone, or it opens but its data cannot be read
        raise raster_problem(raster) or raster_unreadable(raster) from error
    with connection.cursor() as cursor:
        cursor.execute(STORE_RASTER_SQL, {**tile_params(tile), "tileset": name, "data": data, "source": source})
    return data


def prepare_raster(raster: RasterSource, *, force: bool = False) -> bool:
    """Make what the raster's tiles are drawn from: a hillshade raster's shaded relief (`tiles.hillshade`),
    unless it is current. True when something was made. Raises `RasterUnavailable` when the file is
    missing or not a raster, CalledProcessError when GDAL fails."""
    if raster.style != "hillshade" or (not force and hillshade_is_current(raster.path, z_factor(raster))):
        return False
    try:
        build_hillshade(raster.path, z_factor=z_factor(raster))
    except FileNotFoundError as error:
        raise raster_missing(raster) from error
    except RasterioIOError as error:
        raise raster_problem(raster) or raster_missing(raster) from error
    return True


def prepare_dem(path: Path) -> bool:
    """After a DEM was written to `path`: make its hillshade for each hillshade raster the settings serve
    from it (with that raster's z factor), or with the default z factor when none does."""
    rasters = [r for r in raster_sources().values() if r.style == "hillshade" and r.path.resolve() == path.resolve()]
    rasters = rasters or [RasterSource(name="dem", path=path, style="hillshade", label=path.name)]
    made = [prepare_raster(raster) for raster in rasters]  # every one, no short cut
    return any(made)


def clear_tile_cache(tileset: str | None = None) -> int:
    """Delete cached tiles (of one tileset, or all); returns how many."""
    with connection.cursor() as cursor:
        if tileset is None:
            cursor.execute("DELETE FROM tiles_tile")
        else:
            cursor.execute("DELETE FROM tiles_tile WHERE tileset = %s", [tileset])
        return cursor.rowcount
