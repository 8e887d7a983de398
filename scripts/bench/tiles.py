"""Tile benchmark on the demo town: every tile z10-z17 over the demo street, for every tileset.

    .venv/bin/python scripts/bench/tiles.py [--zooms 10-17] [--tilesets grids-1,basemap] [--no-raster]

Measured in one run, on one database connection, in a transaction that is rolled back (the real tile cache
is untouched; the benchmark starts from an empty cache):
  bare SQL        the baseline: the tileset's `ST_AsMVT` statement run straight from a cursor
                  (tiles.selectors.tile_sql: the same SQL, parameters bound, no Django, no cache)
  endpoint        GET /tiles/<tileset>/{z}/{x}/{y}.mvt through Django's test client as a superuser, on an empty
                  cache: session and user, scope, cache look-up, rendering, cache insert, ETag
  endpoint cached the same requests again: served from the cache table
  request floor   as many GET /healthz (no tile): what a request through Django's test client costs here
and for the hillshade raster: rendering straight from the DEM (tiles.raster) beside the endpoint, uncached
and cached. Ratios are speeds relative to the bare SQL (raster: relative to the bare rendering).
"""
import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geogrid.settings")
os.environ["DJANGO_DEBUG"] = "0"  # DEBUG keeps every query in memory

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from geogrid.areas.models import Area  # noqa: E402
from geogrid.demo.town import STREET_CODE  # noqa: E402
from tiles.coords import TileCoord, tiles_covering  # noqa: E402
from tiles.layers import TILESETS, raster_sources  # noqa: E402
from tiles.raster import render_raster_tile  # noqa: E402
from tiles.selectors import tile_params, tile_sql  # noqa: E402


class Rollback(Exception):
    """Raised to undo the benchmark's cache writes after measuring."""


def timed_each(fn, items) -> list[float]:
    """Seconds per item."""
    times = []
    for item in items:
        start = time.perf_counter()
        fn(item)
        times.append(time.perf_counter() - start)
    return times


def row(name: str, times: list[float], baseline: list[float] | None, size: int | None = None) -> str:
    rate = len(times) / sum(times)
    median, p95 = statistics.median(times), statistics.quantiles(times, n=20)[-1]
    ratio = f"{sum(baseline) / sum(times):>8.2f}x" if baseline else f"{'':>9}"
    kb = f"{size / 1024:>9.0f}" if size is not None else ""
    return f"{name:<34}{len(times):>7}{rate:>10.0f}{median * 1e3:>10.2f}{p95 * 1e3:>10.2f}{ratio}{kb}"


HEADER = f"{'':<34}{'tiles':>7}{'tiles/s':>10}{'median ms':>10}{'p95 ms':>10}{'vs base':>9}"


def bare_sql(work: list[tuple[str, TileCoord]]) -> list[float]:
    def render(item):
        name, tile = item
        with connection.cursor() as cursor:
            cursor.execute(tile_sql(TILESETS[name], tile.z), tile_params(tile, ""))
            cursor.fetchone()
    render(work[0])  # the backend's first transform loads PROJ; not a tile's cost
    return timed_each(render, work)


def endpoint(client: Client, work: list[tuple[str, TileCoord]], suffix: str = "mvt", prefix: str = "") -> list[float]:
    def get(item):
        name, tile = item
        response = client.get(f"/tiles/{prefix}{name}/{tile.z}/{tile.x}/{tile.y}.{suffix}")
        assert response.status_code == 200, response.status_code
    return timed_each(get, work)


def run(zooms: range, tilesets: list[str], raster: bool) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM tiles_tile")  # rolled back at the end
    extent = Area.objects.get(code=STREET_CODE).geom.extent
    tiles = [t for z in zooms for t in tiles_covering(*extent, z)]
    work = [(name, tile) for tile in tiles for name in tilesets]
    client = Client()
    client.force_login(User.objects.filter(is_superuser=True, is_active=True).order_by("id").first())
    print(f"{len(tiles)} tiles z{zooms.start}-z{zooms.stop - 1} over the demo street "
          f"({', '.join(f'z{z}: {sum(t.z == z for t in tiles)}' for z in zooms)}), tilesets: {', '.join(tilesets)}\n")

    base = bare_sql(work)
    uncached = endpoint(client, work)
    cached = endpoint(client, work)
    floor = timed_each(lambda _: client.get("/healthz"), work)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FILTER (WHERE length(data) > 0), coalesce(sum(length(data)), 0) "
                       "FROM tiles_tile")
        drawn, size = cursor.fetchone()
    print(f"{drawn} of the {len(work)} tiles hold features\n")
    print(f"{HEADER}{'KB':>9}")
    print(row("bare ST_AsMVT SQL (baseline)", base, base))
    print(row("endpoint, empty cache", uncached, base, size))
    print(row("endpoint, cached", cached, base))
    print(row("request floor: GET /healthz", floor, base))

    print("\nby tileset (endpoint on an empty cache vs the bare SQL of the same tiles)")
    print(HEADER)
    for name in tilesets:
        pick = [i for i, (n, _) in enumerate(work) if n == name]
        print(row(f"  {name}", [uncached[i] for i in pick], [base[i] for i in pick]))

    if raster and "hillshade" in raster_sources():
        source = raster_sources()["hillshade"]
        raster_work = [("hillshade", tile) for tile in tiles]
        direct = timed_each(lambda item: render_raster_tile(source, item[1]), raster_work)
        served = endpoint(client, raster_work, "png", "raster/")
        again = endpoint(client, raster_work, "png", "raster/")
        print("\nhillshade raster (PNG from the demo DEM)")
        print(HEADER)
        print(row("rendering straight from the DEM", direct, direct))
        print(row("endpoint, empty cache", served, direct))
        print(row("endpoint, cached", again, direct))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--zooms", default="10-17", help="first-last zoom, e.g. 10-17")
    parser.add_argument("--tilesets", default=",".join(TILESETS), help="comma-separated tileset names")
    parser.add_argument("--no-raster", action="store_true")
    args = parser.parse_args()
    first, last = (int(v) for v in args.zooms.split("-"))
    try:
        with transaction.atomic():
            run(range(first, last + 1), args.tilesets.split(","), not args.no_raster)
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
