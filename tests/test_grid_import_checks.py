"""The grid import's first pass: every refusal the database would make, and each community's overlaps and gaps,
listed at once with their locations before anything is written."""
import pytest
import shapely
from django.core.management import call_command
from django.core.management.base import CommandError
from pyproj import Transformer

from geogrid.grids.models import Grid
from geogrid.imports.models import ImportJob
from tests.importing import fingerprint, write_layer
from tests.test_imports import VILLAGE, X0, Y0, imported, village  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

TO_STORAGE = Transformer.from_crs(4545, 4490, always_xy=True)
CODES = [VILLAGE + f"00{i}" for i in range(1, 4)]


def grids(tmp_path, geometries: list, name: str = "grids"):
    return write_layer(tmp_path / f"{name}.gpkg", geometries,
                       {"code": CODES[:len(geometries)], "name": [f"网格{i}" for i in range(len(geometries))],
                        "community_code": [VILLAGE] * len(geometries)}, crs="EPSG:4545")


def test_three_containment_faults_are_listed_in_one_pass_with_their_locations(tmp_path, village):
    sticking_out = [shapely.box(X0 - 50, Y0, X0 + 300, Y0 + 1000),  # 50 m west of the village
                    shapely.box(X0 + 300, Y0 - 40, X0 + 700, Y0 + 1000),  # 40 m south
                    shapely.box(X0 + 700, Y0, X0 + 1030, Y0 + 1000)]  # 30 m east
    before = fingerprint()
    result = imported(grids(tmp_path, sticking_out), "grids", dry_run=True)
    assert not result.ok and fingerprint() == before
    faults = sorted((e for e in result.errors if e.code == "outside_community"), key=lambda e: e.number)
    assert [e.number for e in faults] == [1, 2, 3]
    expected = [(X0 - 25, None), (None, Y0 - 20), (X0 + 1015, None)]  # the middle of each overhang, in the file's CRS
    for fault, (x, y) in zip(faults, expected):
        assert x is None or fault.location[0] == pytest.approx(x, abs=1)
        assert y is None or fault.location[1] == pytest.approx(y, abs=1)
        assert fault.geometry["type"] in ("Polygon", "MultiPolygon") and "POLYGON" in fault.wkt
    area = shapely.from_wkt(faults[0].wkt)
    lon, lat = TO_STORAGE.transform(X0 - 25, Y0 + 500)
    assert area.contains(shapely.Point(lon, lat))
    real = imported(grids(tmp_path, sticking_out), "grids")
    assert not real.ok and len([e for e in real.errors if e.code == "outside_community"]) == 3
    assert fingerprint() == before


def test_an_overlap_and_a_gap_between_grids_of_a_community_are_warnings_with_their_pieces(tmp_path, village, capsys):
    west = shapely.box(X0, Y0, X0 + 520, Y0 + 1000)  # overlaps the next one by 20 m
    east = shapely.box(X0 + 500, Y0, X0 + 950, Y0 + 1000)  # leaves a 50 m strip in the east uncovered
    path = grids(tmp_path, [west, east])
    dry = imported(path, "grids", dry_run=True)
    assert dry.ok and dry.job.counts["warnings"] == 2
    by_code = {w.code: w for w in dry.warnings}
    assert set(by_code) == {"overlap", "gap"}
    overlap, gap = by_code["overlap"], by_code["gap"]
    assert overlap.location[0] == pytest.approx(X0 + 510, abs=1) and gap.location[0] == pytest.approx(X0 + 975, abs=1)
    assert "20,000" in overlap.message and "50,000" in gap.message  # m²
    assert all("validate_coverage --area " + VILLAGE in w.message for w in dry.warnings)
    assert gap.geometry["type"] == "Polygon" and shapely.from_wkt(gap.wkt).area > 0
    assert dry.job.report["warnings"][0]["geometry"]["type"] == "Polygon"

    call_command("import_data", str(path), "--target", "grids", verbosity=0)
    out = capsys.readouterr().out
    assert "[overlap]" in out and "[gap]" in out
    assert Grid.objects.current().filter(code__in=CODES[:2]).count() == 2  # warnings do not block the import
    assert ImportJob.objects.filter(target="grids").latest("pk").report["warnings"]


def test_unknown_parents_and_taken_codes_are_listed_with_the_faults(tmp_path, village):
    assert imported(grids(tmp_path, [shapely.box(X0, Y0, X0 + 1000, Y0 + 1000)], "whole"), "grids").ok
    path = write_layer(tmp_path / "mixed.gpkg", [shapely.box(X0, Y0, X0 + 500, Y0 + 500),
                                                 shapely.box(X0 - 100, Y0, X0 + 100, Y0 + 100)],
                       {"code": [CODES[0], CODES[1]], "name": ["重复", "无上级"], "level": [1, 2],
                        "parent_code": [None, VILLAGE + "999"], "community_code": [VILLAGE] * 2}, crs="EPSG:4545")
    result = imported(path, "grids")
    assert {(e.number, e.code) for e in result.errors} >= {(1, "duplicate_key"), (2, "unknown_parent")}
    with pytest.raises(CommandError, match="数据库未作任何改动"):
        call_command("import_data", str(path), "--target", "grids", verbosity=0)


def test_an_update_that_would_leave_a_stored_child_outside_its_parent_is_refused_first(tmp_path, village):
    assert imported(grids(tmp_path, [shapely.box(X0, Y0, X0 + 500, Y0 + 1000)], "west"), "grids").ok
    child = write_layer(tmp_path / "child.gpkg", [shapely.box(X0, Y0, X0 + 400, Y0 + 400)],
                        {"code": [VILLAGE + "001001"], "name": ["楼栋网格"], "level": [2], "parent_code": [CODES[0]],
                         "community_code": [VILLAGE]}, crs="EPSG:4545")
    assert imported(child, "grids").ok
    before = fingerprint()
    result = imported(grids(tmp_path, [shapely.box(X0, Y0, X0 + 300, Y0 + 1000)], "narrower"), "grids", mode="update")
    assert [(e.number, e.code) for e in result.errors] == [(1, "child_outside")]
    assert result.errors[0].location[0] == pytest.approx(X0 + 350, abs=1) and fingerprint() == before
