"""Exports in every format and CRS, and the round trip: export, then import, gives back the same features."""
import pytest
import shapely
from django.core.management import call_command
from openpyxl import load_workbook

from geogrid.core.chinacrs import gcj02_to_wgs84
from geogrid.core.crs import parse_crs
from geogrid.core.services import create_generation
from geogrid.exports.services import export_layer
from geogrid.grids.models import Grid
from geogrid.imports.readers import open_source
from geogrid.imports.services import ImportOptions, run_import
from tests.demo_facts import COMMUNITY

pytestmark = pytest.mark.django_db


def snapshot(codes: list[str]) -> dict:
    grids = Grid.objects.current().filter(code__in=codes)
    return {g.code: (g.name, g.level, g.kind, g.setting, g.exclusive_type, g.parent.code if g.parent else None,
                     shapely.from_wkb(bytes(g.geom.wkb))) for g in grids.select_related("parent")}


@pytest.mark.parametrize("fmt, crs", [("geojson", "wgs84"), ("gpkg", "EPSG:4545"), ("shp", "cgcs2000"),
                                      ("kml", "wgs84"), ("gpkg", "gcj02")])
def test_round_trip_gives_back_the_same_grids(fmt, crs):
    codes = list(Grid.objects.current().filter(community__code=COMMUNITY).values_list("code", flat=True))
    before = snapshot(codes)
    exported = export_layer("grids", fmt, parse_crs(crs), area_code=COMMUNITY)
    assert exported.count == len(codes)

    Grid.objects.current().filter(code__in=codes).update(generation_high=create_generation("round trip"))
    result = run_import(exported.path, ImportOptions(target="grids", crs=crs if crs == "gcj02" else None))
    assert result.ok, result.errors[:3]
    after = snapshot(codes)
    assert set(after) == set(before)
    for code, (*attrs, geom) in before.items():
        *new_attrs, new_geom = after[code]
        assert new_attrs == attrs, code
        assert shapely.hausdorff_distance(geom, new_geom) < 1e-7, code  # about a centimetre


def test_gcj02_export_is_shifted_by_hundreds_of_metres_and_unshifts_exactly():
    wgs = export_layer("grids", "geojson", parse_crs("cgcs2000"), area_code=COMMUNITY)
    gcj = export_layer("grids", "geojson", parse_crs("gcj02"), area_code=COMMUNITY)
    x0, y0 = shapely.get_coordinates(_first_geometry(wgs.path))[0]
    x1, y1 = shapely.get_coordinates(_first_geometry(gcj.path))[0]
    assert 0.001 < abs(x1 - x0) + abs(y1 - y0) < 0.02
    back = gcj02_to_wgs84(x1, y1)
    assert float(back[0]) == pytest.approx(x0, abs=1e-8) and float(back[1]) == pytest.approx(y0, abs=1e-8)


def _first_geometry(path):
    source = open_source(path)
    return next(source.batches())[0].geometry


def test_shapefile_export_is_utf8_with_cpg_and_short_column_names():
    exported = export_layer("grids", "shp", parse_crs("EPSG:4545"), area_code=COMMUNITY)
    import zipfile
    with zipfile.ZipFile(exported.path) as zf:
        names = zf.namelist()
        assert any(n.endswith(".cpg") for n in names)
        assert zf.read(next(n for n in names if n.endswith(".cpg"))).decode().strip().upper() in {"UTF-8", "UTF8"}
    source = open_source(exported.path)
    assert "comm_code" in source.columns and source.crs == "EPSG:4545"
    assert any("和平" in f.attributes["name"] for f in next(source.batches()))


def test_grid_ledger_lists_every_grid_with_masked_phones_for_outsiders(tmp_path):
    out = tmp_path / "ledger.xlsx"
    call_command("export_data", "--target", "grids", "--format", "xlsx", "--area", COMMUNITY, "-o", str(out),
                 verbosity=0)
    sheet = load_workbook(out).active
    rows = list(sheet.iter_rows(values_only=True))
    codes = {r[0] for r in rows[1:]}
    assert rows[0][0] == "网格编码"
    assert codes == set(Grid.objects.current().filter(community__code=COMMUNITY).values_list("code", flat=True))
    phones = [r[8] for r in rows[1:] if r[8]]
    assert phones and all("****" in p for p in phones)
    by_code = {r[0]: r for r in rows[1:]}
    grid = Grid.objects.current().filter(community__code=COMMUNITY, level=1).order_by("code").first()
    assert by_code[grid.code][10] == grid.household_count and by_code[grid.code][12] == grid.population
