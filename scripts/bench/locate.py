"""Point-lookup benchmark on the demo town: time per lookup for three ways of finding the grids at a point.

    .venv/bin/python scripts/bench/locate.py [--points 10000] [--segmentize-m 0]

1. api:         the locate API's own grid query (subdivided `grids_gridpart`, see geogrid/locate/selectors.py)
2. st_contains: the baseline, a plain ST_Contains on the unsubdivided `grids_grid` geometries
3. strtree:     shapely 2 STRtree over the same polygons in Python (bulk query and one-by-one)

`--segmentize-m 5` first densifies every grid boundary to a vertex every 5 m (inside a transaction that is
rolled back at the end) to show what big, TOASTed polygons do to the baseline. Also prints the full
`locate()` answer (grids, areas, business grids, staff) per point. Ratios are against st_contains.
"""
import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geogrid.settings")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
import shapely  # noqa: E402
from django.contrib.gis.geos import Point  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from geogrid.locate.selectors import GRID_HITS_SQL, locate  # noqa: E402

BASELINE_SQL = """
SELECT id, level FROM grids_grid
WHERE generation_high_id IS NULL AND ST_Contains(geom, ST_SetSRID(ST_MakePoint(%s, %s), 4490))
"""


class Rollback(Exception):
    """Raised to undo the densification after measuring."""


def random_points(n: int, seed: int = 42) -> np.ndarray:
    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM "
                       "(SELECT ST_Extent(geom) e FROM areas_area WHERE kind = 'street') s")
        xmin, ymin, xmax, ymax = cursor.fetchone()
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.uniform(xmin, xmax, n), rng.uniform(ymin, ymax, n)])


def time_sql(sql: str, points: np.ndarray) -> tuple[float, int]:
    hits = 0
    with connection.cursor() as cursor:
        start = time.perf_counter()
        for x, y in points:
            cursor.execute(sql, [float(x), float(y)])
            hits += len(cursor.fetchall())
        return (time.perf_counter() - start) / len(points), hits


def time_strtree(points: np.ndarray) -> tuple[float, float, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_AsBinary(geom) FROM grids_grid WHERE generation_high_id IS NULL")
        polygons = shapely.from_wkb([bytes(row[0]) for row in cursor.fetchall()])
    shapely.prepare(polygons)
    tree = shapely.STRtree(polygons)
    geoms = shapely.points(points)
    start = time.perf_counter()
    pairs = tree.query(geoms, predicate="intersects")
    bulk = (time.perf_counter() - start) / len(points)
    start = time.perf_counter()
    for g in geoms:
        tree.query(g, predicate="intersects")
    single = (time.perf_counter() - start) / len(points)
    return bulk, single, pairs.shape[1]


def time_full_locate(points: np.ndarray) -> float:
    sample = points[: min(len(points), 1000)]
    start = time.perf_counter()
    for x, y in sample:
        locate(Point(float(x), float(y), srid=4490))
    return (time.perf_counter() - start) / len(sample)


def run(n: int, segmentize_m: float) -> None:
    points = random_points(n)
    with connection.cursor() as cursor:
        if segmentize_m:
            cursor.execute("UPDATE grids_grid SET geom = ST_Multi(ST_Segmentize(geom::geography, %s)::geometry) "
                           "WHERE generation_high_id IS NULL", [segmentize_m])
        cursor.execute("SELECT count(*), avg(ST_NPoints(geom))::int, max(ST_NPoints(geom)) FROM grids_grid "
                       "WHERE generation_high_id IS NULL")
        grids, avg_vertices, max_vertices = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM grids_gridpart")
        parts = cursor.fetchone()[0]
        cursor.execute("ANALYZE grids_grid; ANALYZE grids_gridpart")
    print(f"{grids} current grids, {avg_vertices} vertices on average (max {max_vertices}), {parts} parts; "
          f"{n} random points over the street's extent")
    time_sql(GRID_HITS_SQL, points[:200])  # warm caches for both
    time_sql(BASELINE_SQL, points[:200])
    api, api_hits = time_sql(GRID_HITS_SQL, points)
    base, base_hits = time_sql(BASELINE_SQL, points)
    bulk, single, tree_hits = time_strtree(points)
    full = time_full_locate(points)
    rows = [
        ("st_contains (baseline)", base, base_hits),
        ("api (subdivided parts)", api, api_hits),
        ("strtree, bulk query", bulk, tree_hits),
        ("strtree, one by one", single, tree_hits),
        ("full locate() answer", full, None),
    ]
    print(f"{'method':<26}{'µs/lookup':>12}{'vs baseline':>14}{'grid hits':>12}")
    for name, seconds, hits in rows:
        print(f"{name:<26}{seconds * 1e6:>12.1f}{base / seconds:>13.2f}x{'' if hits is None else hits:>12}")
    if not (api_hits == base_hits == tree_hits):
        print("note: hit counts differ only by points exactly on boundaries (covers vs contains)")


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
