"""A 200 MB file is read in one streamed pass with bounded memory, and its one bad feature still refuses it.

The import runs in a child process so its peak memory (VmHWM) can be measured on its own: if the reader
held the file whole, the peak would grow by more than the file's size.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import shapely
from django.db import connection

from tests.importing import fingerprint

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
FEATURES, VERTICES = 18_000, 300  # about 206 MB of GeoJSON
MAX_GROWTH_MB = 150  # measured ~100 MB, flat from the second batch on; holding the file whole: ~400 MB

PROBE = """
import json, sys
import django
django.setup()
from geogrid.imports.services import ImportOptions, run_import
def status_kb(key):
    return int(next(line for line in open("/proc/self/status") if line.startswith(key)).split()[1])
before = status_kb("VmRSS:")
result = run_import(sys.argv[1], ImportOptions(target="buildings"))
after = status_kb("VmHWM:")  # peak RSS since exec (ru_maxrss would include the parent's, kept across exec)
print(json.dumps({"growth_mb": (after - before) / 1024, "errors": [[e.number, e.message] for e in result.errors],
                  "status": result.job.status}))
"""


def write_big_geojson(path: Path) -> None:
    """Round building footprints east of the demo town, the last one a self-intersecting bow-tie."""
    rng = np.random.default_rng(7)
    angles = np.linspace(0, 2 * np.pi, VERTICES, endpoint=False)
    ring = np.column_stack([np.cos(angles), np.sin(angles)]) * 0.00005
    centres = np.column_stack([108.70 + rng.random(FEATURES) * 0.02, 26.93 + rng.random(FEATURES) * 0.02])
    footprints = [shapely.Polygon(ring + centre) for centre in centres]
    x, y = centres[-1]
    footprints[-1] = shapely.Polygon([(x, y), (x + 1e-4, y + 1e-4), (x + 1e-4, y), (x, y + 1e-4)])
    with open(path, "w", encoding="utf-8") as out:
        out.write('{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"EPSG:4490"}},"features":[\n')
        for i, geometry in enumerate(shapely.to_geojson(footprints)):
            properties = json.dumps({"address": f"城关街道测试路{i + 1}号", "floors": 3, "households": 10},
                                    ensure_ascii=False)
            out.write(("," if i else "") + f'{{"type":"Feature","properties":{properties},"geometry":{geometry}}}\n')
        out.write("]}\n")


def test_a_200_mb_file_is_streamed_with_bounded_memory_and_refused_whole(tmp_path):
    path = tmp_path / "buildings.geojson"
    write_big_geojson(path)
    size_mb = path.stat().st_size / 2**20
    assert size_mb > 200
    before = fingerprint()
    env = dict(os.environ, GEOGRID_DB_NAME=connection.settings_dict["NAME"], DJANGO_SETTINGS_MODULE="geogrid.settings")
    if "DATABASE_URL" in env:
        env["DATABASE_URL"] = env["DATABASE_URL"].rsplit("/", 1)[0] + "/" + connection.settings_dict["NAME"]
    probe = subprocess.run([sys.executable, "-c", PROBE, str(path)], cwd=ROOT, env=env, capture_output=True,
                           text=True, check=True)
    report = json.loads(probe.stdout.strip().splitlines()[-1])
    assert report["status"] == "failed"
    assert [number for number, _ in report["errors"]] == [FEATURES]
    assert "Self-intersection" in report["errors"][0][1]
    assert report["growth_mb"] < MAX_GROWTH_MB, f"peak memory grew {report['growth_mb']:.0f} MB for {size_mb:.0f} MB"
    assert fingerprint() == before
