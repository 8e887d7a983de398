"""Writes: tiles are served from the cache, or rendered and cached on the way out."""
from django.db import connection

from geogrid.core.api import DomainError

from tiles.coords import TileCoord
from tiles.layers import ENVELOPE_SQL, RasterSource, Tileset
from tiles.raster import render_raster_tile, source_fingerprint
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


class RasterMissing(DomainError):
    """The raster's file is not there (settings name it, the disk does not hold it)."""

    code = "raster_missing"
    status = 404


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
    """The PNG tile from the cache when drawn from the current file, else rendered and cached. RasterMissing
    when the file is not there (also when it disappears between the check and the read)."""
    try:
        name, source = raster_cache_name(raster), source_fingerprint(raster.path)
    except FileNotFoundError as error:
        raise RasterMissing(f"栅格图层“{raster.label}”的文件不存在") from error
    data = cached_tile(name, "", tile, source=source)
    if data is None:
        data = render_raster_tile(raster, tile)
        with connection.cursor() as cursor:
            cursor.execute(STORE_RASTER_SQL, {**tile_params(tile), "tileset": name, "data": data, "source": source})
    return data


def clear_tile_cache(tileset: str | None = None) -> int:
    """Delete cached tiles (of one tileset, or all); returns how many."""
    with connection.cursor() as cursor:
        if tileset is None:
            cursor.execute("DELETE FROM tiles_tile")
        else:
            cursor.execute("DELETE FROM tiles_tile WHERE tileset = %s", [tileset])
        return cursor.rowcount
