"""Point-lookup benchmark on the demo town: time per lookup for the ways of finding the grids at a point.

    .venv/bin/python scripts/bench/locate.py [--points 10000] [--segmentize-m 0]

Inside PostgreSQL (one statement over all points, so client round trips do not hide the difference):
  st_contains  the baseline: plain ST_Contains on the unsubdivided `grids_grid` geometries
  api          the locate API's grid query on the subdivided `grids_gridpart` (geogrid/locate/selectors.py)
In Python:
  strtree      shapely 2 STRtree over the same polygons (bulk query, and one point at a time)
From a client (one query per point over the unix socket, as the API does it):
  round trip   `SELECT 1`, the floor any per-point query pays on this machine
  api query    the API's grid query
  locate()     the whole answer: grids with areas, business grids, staff (three queries)

`--segmentize-m 5` first densifies every grid to a vertex every 5 m (in a transaction that is rolled back)
to show what big polygons do to the baseline. Ratios are speed-ups over the in-database baseline.
"""
import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geogrid.settings")
os.environ["DJANGO_DEBUG"] = "0"  # DEBUG records every query, which would be measured too

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
import shapely  # noqa: E402
from django.contrib.gis.geos import Point  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from geogrid.locate.selectors import GRID_HITS_SQL, locate  # noqa: E402

IN_DB_BASELINE = """
SELECT count(*) FROM bench_points b, LATERAL (
    SELECT g.id FROM grids_grid g WHERE g.generation_high_id IS NULL AND ST_Contains(g.geom, b.geom)) hit
"""
IN_DB_API = """
SELECT count(DISTINCT (b.id, hit.grid_id)) FROM bench_points b, LATERAL (
    SELECT p.grid_id, ST_Contains(p.geom, b.geom) FROM grids_gridpart p WHERE ST_Intersects(p.geom, b.geom)) hit
"""


class Rollback(Exception):
    """Raised to undo the benchmark's changes after measuring."""


def timed(fn, repeat: int = 1) -> float:
    fn()  # warm caches and prepared statements
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) / repeat


def sql_value(sql: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def make_points(cursor, n: int, seed: int = 42) -> np.ndarray:
    xmin, ymin, xmax, ymax = sql_value("SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM "
                                       "(SELECT ST_Extent(geom) e FROM areas_area WHERE kind = 'street') s")
    rng = np.random.default_rng(seed)
    points = np.column_stack([rng.uniform(xmin, xmax, n), rng.uniform(ymin, ymax, n)])
    cursor.execute("CREATE TEMP TABLE bench_points (id serial, geom geometry(Point, 4490)) ON COMMIT DROP")
    cursor.execute("INSERT INTO bench_points (geom) SELECT ST_SetSRID(ST_MakePoint(x, y), 4490) "
                   "FROM unnest(%s::float8[], %s::float8[]) AS t(x, y)", [points[:, 0].tolist(), points[:, 1].tolist()])
    cursor.execute("ANALYZE bench_points; ANALYZE grids_grid; ANALYZE grids_gridpart")
    return points


def strtree_times(points: np.ndarray) -> tuple[float, float, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_AsBinary(geom) FROM grids_grid WHERE generation_high_id IS NULL")
        polygons = shapely.from_wkb([bytes(row[0]) for row in cursor.fetchall()])
    shapely.prepare(polygons)
    tree = shapely.STRtree(polygons)
    geoms = shapely.points(points)
    hits = tree.query(geoms, predicate="intersects").shape[1]
    bulk = timed(lambda: tree.query(geoms, predicate="intersects")) / len(points)
    single = timed(lambda: [tree.query(g, predicate="intersects") for g in geoms]) / len(points)
    return bulk, single, hits


def run(n: int, segmentize_m: float) -> None:
    with connection.cursor() as cursor:
        if segmentize_m:
            cursor.execute("UPDATE grids_grid SET geom = ST_Multi(ST_Segmentize(geom::geography, %s)::geometry) "
                           "WHERE generation_high_id IS NULL", [segmentize_m])
        points = make_points(cursor, n)
    grids, avg_v, max_v = sql_value("SELECT count(*), avg(ST_NPoints(geom))::int, max(ST_NPoints(geom)) "
                                    "FROM grids_grid WHERE generation_high_id IS NULL")
    parts = sql_value("SELECT count(*) FROM grids_gridpart")[0]
    print(f"{grids} current grids, {avg_v} vertices on average (max {max_v}), {parts} grid parts; "
          f"{n} random points over the street's extent\n")

    base = timed(lambda: sql_value(IN_DB_BASELINE), 3) / n
    base_hits = sql_value(IN_DB_BASELINE)[0]
    api = timed(lambda: sql_value(IN_DB_API), 3) / n
    api_hits = sql_value(IN_DB_API)[0]
    bulk, single, tree_hits = strtree_times(points)
    sample = points[: min(n, 2000)]
    round_trip = timed(lambda: [sql_value("SELECT 1") for _ in sample]) / len(sample)
    api_client = timed(lambda: [sql_value(GRID_HITS_SQL, {"x": float(x), "y": float(y)}) for x, y in sample]) / len(sample)
    full = timed(lambda: [locate(Point(float(x), float(y), srid=4490)) for x, y in sample[:500]]) / min(len(sample), 500)

    rows = [
        ("in PostgreSQL", "st_contains (baseline)", base, base_hits),
        ("in PostgreSQL", "api (subdivided parts)", api, api_hits),
        ("in Python", "strtree, bulk query", bulk, tree_hits),
        ("in Python", "strtree, one at a time", single, tree_hits),
        ("from a client", "round trip (SELECT 1)", round_trip, None),
        ("from a client", "api grid query", api_client, None),
        ("from a client", "locate(), whole answer", full, None),
    ]
    print(f"{'where':<15}{'method':<26}{'µs/lookup':>11}{'vs baseline':>13}{'hits':>8}")
    for where, name, seconds, hits in rows:
        print(f"{where:<15}{name:<26}{seconds * 1e6:>11.1f}{base / seconds:>12.2f}x{'' if hits is None else hits:>8}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--points", type=int, default=10_000)
    parser.add_argument("--segmentize-m", type=float, default=0.0)
    args = parser.parse_args()
    try:
        with transaction.atomic():
            run(args.points, args.segmentize_m)
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
