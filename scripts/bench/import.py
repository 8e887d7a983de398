"""Import and validation benchmark on generated data (run by hand, never in tests).

    .venv/bin/python scripts/bench/import.py [--buildings 100000] [--grids 10000]

1. Writes N building points over the demo street to a GeoPackage in CGCS2000 / GK CM 108E (EPSG:4545) and
   imports it with GeoGrid's importer (both passes, all checks, CRS transformation, raw records, audit trail,
   placement in grids) inside a transaction that is rolled back; prints time, features/s and peak memory.
   Beside it, in the same run, `ogr2ogr` loads the same file into a PostGIS table (reprojected, with a spatial
   index), the bare-GDAL baseline, with the ratio.
2. Builds a synthetic community of G square grids (a lattice, with a few planted gaps and overlaps) and times
   `validate_coverage` on it, rolled back too.
"""
import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geogrid.settings")
os.environ["DJANGO_DEBUG"] = "0"  # DEBUG keeps every query in memory
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost")

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402
import shapely  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from geogrid.core.services import create_generation  # noqa: E402
from geogrid.coverage.selectors import validate_coverage  # noqa: E402
from geogrid.grids.models import Grid  # noqa: E402
from geogrid.imports.services import ImportOptions, run_import  # noqa: E402
from synthetic import synthetic_county, to_storage  # noqa: E402  (scripts/bench/synthetic.py)
from tests.importing import write_layer  # noqa: E402


class Rollback(Exception):
    pass


def measured(fn):
    """Run fn twice: timed alone, then under tracemalloc (which slows Python down several times) for its peak
    Python memory in MB. Returns (result, seconds, peak MB)."""
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return result, seconds, peak


def street_extent_gk() -> tuple[float, float, float, float]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Extent("
                       "ST_Transform(geom, 4545)) e FROM areas_area WHERE kind = 'street') s")
        return cursor.fetchone()


def buildings_file(folder: Path, n: int) -> Path:
    xmin, ymin, xmax, ymax = street_extent_gk()
    rng = np.random.default_rng(7)
    xs, ys = rng.uniform(xmin, xmax, n), rng.uniform(ymin, ymax, n)
    return write_layer(folder / "buildings.gpkg", list(shapely.points(xs, ys)),
                       {"address": [f"基准路{i}号" for i in range(n)], "households": rng.integers(1, 40, n).tolist()},
                       crs="EPSG:4545")


def ogr2ogr_seconds(path: Path) -> float:
    db = connection.settings_dict
    target = f"PG:host={db['HOST']} port={db['PORT']} dbname={db['NAME']} user={db['USER']}"
    start = time.perf_counter()
    subprocess.run(["ogr2ogr", "-f", "PostgreSQL", target, str(path), "-nln", "bench_ogr_buildings", "-overwrite",
                    "-t_srs", "EPSG:4490", "-lco", "SPATIAL_INDEX=GIST", "--config", "PG_USE_COPY", "YES"],
                   check=True)
    seconds = time.perf_counter() - start
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_ogr_buildings")
    return seconds


def bench_import(n: int) -> None:
    folder = Path(tempfile.mkdtemp())
    path = buildings_file(folder, n)
    print(f"{n} buildings, {path.stat().st_size / 2**20:.1f} MB GeoPackage in EPSG:4545")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result, seconds, peak = measured(lambda: run_import(path, ImportOptions(target="buildings", dry_run=True)))
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    assert result.ok, result.errors[:3]
    baseline = ogr2ogr_seconds(path)
    print(f"{'method':<38}{'seconds':>9}{'features/s':>12}{'vs ogr2ogr':>12}")
    print(f"{'ogr2ogr into PostGIS (baseline)':<38}{baseline:>9.1f}{n / baseline:>12.0f}{1:>11.2f}x")
    print(f"{'GeoGrid import (checked, rolled back)':<38}{seconds:>9.1f}{n / seconds:>12.0f}{baseline / seconds:>11.2f}x")
    print(f"GeoGrid import: peak Python memory {peak:.0f} MB (tracemalloc); process max RSS {rss_before:.0f} → "
          f"{rss_after:.0f} MB")


def bench_validation(g: int) -> None:
    with transaction.atomic():
        generation = create_generation("bench")
        county = synthetic_county(g)
        cells = county.cells
        cells[17] = cells[17].buffer(-3, join_style="mitre")  # a planted gap
        cells[42] = cells[42].buffer(3, join_style="mitre").intersection(county.extent)  # a planted overlap
        start = time.perf_counter()
        Grid.objects.bulk_create([
            Grid(code=f"999999001001{k:05d}", name=f"基准网格{k}", community=county.community,
                 geom=to_storage(cell), generation_low=generation)
            for k, cell in enumerate(cells)
        ], batch_size=1000)
        load = time.perf_counter() - start
        report, seconds, peak = measured(lambda: validate_coverage(county.street.code, level=1))
        print(f"\n{len(cells)} grids loaded in {load:.1f} s (triggers: containment, subdivision, audit)")
        print(f"validate_coverage: {seconds:.2f} s, peak Python memory {peak:.0f} MB, "
              f"{len(report.problems)} problems found (2 planted geometry problems + size warnings)")
        transaction.set_rollback(True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--buildings", type=int, default=100_000)
    parser.add_argument("--grids", type=int, default=10_000)
    args = parser.parse_args()
    bench_import(args.buildings)
    bench_validation(args.grids)


if __name__ == "__main__":
    main()
