"""多网合一 benchmark on generated data (run by hand, never in tests).

    .venv/bin/python scripts/bench/alignment.py [--base 10000] [--business 1000]

Generates a synthetic county tiled by B base grids (a lattice of 100 m cells) and one department with N
hand-drawn business grids (blocks of base grids, each blown up or shrunk by up to 6 m and moved by up to 3 m,
as departments draw them). Inside a transaction that is rolled back it times, with peak Python memory:
1. the shares of every base grid held by every business grid and the majority assignment, GeoGrid's way
   (shapely STRtree + vectorised intersections) beside a geopandas `overlay` computing the same shares, with
   the ratio, and checks both give the same assignment;
2. the whole alignment report, the auto-align preview and applying it (a new version in the database).
"""
import argparse
import os
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geogrid.settings")
os.environ["DJANGO_DEBUG"] = "0"  # DEBUG keeps every query in memory

import django  # noqa: E402

django.setup()

import geopandas  # noqa: E402
import numpy as np  # noqa: E402
import shapely  # noqa: E402
from django.db import transaction  # noqa: E402

from geogrid.alignment.selectors import alignment_report, load_layers, majority_assignment, overlaps  # noqa: E402
from geogrid.alignment.services import apply_alignment, preview_alignment  # noqa: E402
from geogrid.core.services import create_generation  # noqa: E402
from geogrid.departments.models import BusinessGrid, Department  # noqa: E402
from geogrid.grids.models import Grid  # noqa: E402
from synthetic import synthetic_county, to_storage  # noqa: E402  (scripts/bench/synthetic.py)


def measured(fn):
    """(result, seconds, peak Python MB): timed alone, then again under tracemalloc for the peak."""
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return result, seconds, peak


def drawn_blocks(county, business: int, rng) -> list[shapely.Geometry]:
    """Blocks of base cells (as square as the counts allow), each drawn a few metres off."""
    per_block = max(1, len(county.cells) // business)
    width = max(1, int(per_block ** 0.5))
    height = max(1, per_block // width)
    blocks = []
    for bj in range(0, county.side - height + 1, height):
        for bi in range(0, county.side - width + 1, width):
            cells = [county.cells[j * county.side + i] for j in range(bj, bj + height) for i in range(bi, bi + width)]
            block = shapely.union_all(cells).buffer(rng.uniform(-6, 6), join_style="mitre")
            dx, dy = rng.uniform(-3, 3, 2)
            blocks.append(shapely.affinity.translate(block, dx, dy).intersection(county.extent))
            if len(blocks) == business:
                return blocks
    return blocks


def geopandas_shares(layers):
    """The same shares and majority assignment with geopandas: overlay (intersection), area, groupby."""
    business = geopandas.GeoDataFrame({"b": np.arange(len(layers.business))}, geometry=list(layers.business))
    base = geopandas.GeoDataFrame({"g": np.arange(len(layers.base))}, geometry=list(layers.base))
    base["base_area"] = base.area
    pieces = geopandas.overlay(business, base, how="intersection", keep_geom_type=True)
    pieces["area"] = pieces.area
    pieces["share"] = pieces["area"] / pieces["base_area"]
    pieces = pieces[pieces["share"] > 0.02]
    best = pieces.sort_values(["g", "area", "b"], ascending=[True, False, True]).drop_duplicates("g")
    return dict(zip(best["g"], best["b"]))


def ours(layers):
    b_idx, g_idx, areas = overlaps(layers)
    return majority_assignment(layers, b_idx, g_idx, areas, 0.02)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", type=int, default=10_000)
    parser.add_argument("--business", type=int, default=1_000)
    args = parser.parse_args()
    rng = np.random.default_rng(11)
    with transaction.atomic():
        generation = create_generation("bench")
        county = synthetic_county(args.base)
        start = time.perf_counter()
        Grid.objects.bulk_create([Grid(code=f"999999001001{k:05d}", name=f"基准网格{k}", community=county.community,
                                       geom=to_storage(cell), generation_low=generation)
                                  for k, cell in enumerate(county.cells)], batch_size=1000)
        department = Department.objects.create(code="BENCH", name="基准部门", tier="town", area=county.street)
        blocks = drawn_blocks(county, args.business, rng)
        BusinessGrid.objects.bulk_create([BusinessGrid(department=department, code=f"B{k:04d}", name=f"业务网格{k}",
                                                       geom=to_storage(block), generation_low=generation)
                                          for k, block in enumerate(blocks)], batch_size=500)
        print(f"{len(county.cells)} base grids and {len(blocks)} business grids loaded in "
              f"{time.perf_counter() - start:.1f} s")
        layers = load_layers(department)

        mine, our_s, our_mb = measured(lambda: ours(layers))
        theirs, gpd_s, gpd_mb = measured(lambda: geopandas_shares(layers))
        same = mine == {int(g): int(b) for g, b in theirs.items()}
        print(f"\n{'shares + majority assignment':<40}{'seconds':>9}{'peak MB':>9}{'vs geopandas':>14}")
        print(f"{'geopandas overlay (baseline)':<40}{gpd_s:>9.2f}{gpd_mb:>9.0f}{1:>13.2f}x")
        print(f"{'GeoGrid (STRtree + vectorised shapely)':<40}{our_s:>9.2f}{our_mb:>9.0f}{gpd_s / our_s:>13.2f}x")
        print(f"same assignment for all {len(mine)} base grids: {same}")

        report, report_s, report_mb = measured(lambda: alignment_report(department))
        preview, preview_s, preview_mb = measured(lambda: preview_alignment(department=department))
        start = time.perf_counter()
        apply_alignment(department=department, user=None, accept_low_share=True)
        apply_s = time.perf_counter() - start
        after = alignment_report(department).summary()
        print(f"\nfull alignment report: {report_s:.2f} s, {report_mb:.0f} MB; summary {report.summary()}")
        print(f"auto-align preview: {preview_s:.2f} s, {preview_mb:.0f} MB; apply (new version): {apply_s:.2f} s")
        print(f"after applying: {after}")
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
