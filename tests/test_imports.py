"""Importing real files into the demo town: every format, every target, and bad input that changes nothing."""
import zipfile
from pathlib import Path

import pytest
import shapely
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook
from pyproj import Transformer

from geogrid.areas.models import Area
from geogrid.buildings.models import Building
from geogrid.core.chinacrs import wgs84_to_gcj02
from geogrid.grids.models import Grid
from geogrid.imports.models import ImportedFeature, ImportJob
from geogrid.imports.services import ImportOptions, run_import
from geogrid.stations.models import ServiceStation
from tests.demo_facts import STREET
from tests.importing import fingerprint, write_layer

pytestmark = pytest.mark.django_db

VILLAGE = "522624001299"
TO_GK = Transformer.from_crs(4490, 4545, always_xy=True)
# A test village east of the demo street, in CGCS2000 / Gauss-Krüger CM 108E metres.
X0, Y0 = 575_000.0, 2_981_000.0
VILLAGE_SQUARE = shapely.box(X0, Y0, X0 + 1000, Y0 + 1000)
WEST_HALF, EAST_HALF = shapely.box(X0, Y0, X0 + 500, Y0 + 1000), shapely.box(X0 + 500, Y0, X0 + 1000, Y0 + 1000)


def imported(path: Path, target: str, **options):
    return run_import(path, ImportOptions(target=target, **options))


@pytest.fixture
def village(tmp_path) -> Area:
    path = write_layer(tmp_path / "village.gpkg", [VILLAGE_SQUARE],
                       {"code": [VILLAGE], "name": ["测试村"], "kind": ["村"], "parent_code": [STREET]}, crs="EPSG:4545")
    result = imported(path, "areas")
    assert result.ok, result.errors
    return Area.objects.get(code=VILLAGE)


def zipped_shapefile(tmp_path: Path, name: str, keep_cpg: bool, **layer) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    write_layer(folder / f"{name}.shp", **layer)
    archive = tmp_path / f"{name}.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in folder.iterdir():
            if keep_cpg or part.suffix != ".cpg":
                zf.write(part, part.name)
    return archive


def test_gbk_shapefile_in_a_gauss_kruger_zone_without_cpg(tmp_path, village):
    archive = zipped_shapefile(
        tmp_path, "grids", keep_cpg=False, geometries=[WEST_HALF, EAST_HALF],
        fields={"WGBM": [VILLAGE + "001", VILLAGE + "002"], "名称": ["测试村第一网格", "测试村第二网格"],
                "社区代码": [VILLAGE, VILLAGE]},
        crs="EPSG:4545", encoding="GBK",
    )
    result = imported(archive, "grids", mapping={"code": "WGBM"})
    assert result.ok, result.errors
    assert any("GBK" in note for note in result.notes)
    west = Grid.objects.current().get(code=VILLAGE + "001")
    assert west.name == "测试村第一网格" and west.community == village
    area_m2 = shapely.from_wkb(bytes(west.geom.transform(4545, clone=True).wkb)).area
    assert area_m2 == pytest.approx(500_000, rel=1e-6)
    assert result.job.source_crs == "EPSG:4545" and result.job.status == ImportJob.Status.SUCCEEDED


def test_buildings_from_an_excel_ledger_in_gcj02_are_unshifted_and_keep_their_raw_coordinates(tmp_path, village):
    lon, lat = TO_GK.transform(X0 + 250, Y0 + 500, direction="INVERSE")
    glon, glat = (float(v) for v in wgs84_to_gcj02(lon, lat))
    book = Workbook()
    book.active.append(["地址", "户数", "常住户数", "人口", "经度", "纬度"])
    book.active.append(["测试村1组1号", 3, 2, 7, glon, glat])
    path = tmp_path / "ledger.xlsx"
    book.save(path)

    result = imported(path, "buildings", crs="gcj02")
    assert result.ok, result.errors
    building = Building.objects.get(address="测试村1组1号")
    assert building.point.x == pytest.approx(lon, abs=5e-6) and building.point.y == pytest.approx(lat, abs=5e-6)
    assert building.grid_l1 is None and building.households == 3
    raw = ImportedFeature.objects.get(job=result.job, object_id=building.pk)
    assert raw.raw_crs == "gcj02" and f"{glon:.6f}"[:9] in raw.raw_wkt


def test_csv_with_a_wkt_column_and_named_crs(tmp_path, village):
    path = tmp_path / "stations.csv"
    point = shapely.Point(X0 + 100, Y0 + 100)
    path.write_text(f"名称,类型,WKT\n测试村服务站,网格党群服务站,{point.wkt}\n", encoding="utf-8")
    result = imported(path, "stations", crs="EPSG:4545")
    assert result.ok, result.errors
    assert ServiceStation.objects.get(name="测试村服务站").community == village


def test_geopackage_with_several_layers_needs_a_layer(tmp_path, village):
    path = tmp_path / "two.gpkg"
    for layer in ("a", "b"):
        from pyogrio.raw import write as raw_write
        import numpy as np
        raw_write(str(path), np.array([shapely.to_wkb(shapely.Point(X0 + 10, Y0 + 10))], dtype=object),
                  [np.array([f"站{layer}"], dtype=object)], ["name"], geometry_type="Point", crs="EPSG:4545",
                  layer=layer, append=layer == "b")
    before = fingerprint()
    result = imported(path, "stations")
    assert not result.ok and "--layer" in result.errors[0].message
    assert fingerprint() == before
    assert imported(path, "stations", layer="b").ok
    assert ServiceStation.objects.filter(name="站b").exists() and not ServiceStation.objects.filter(name="站a").exists()


def test_kml_from_google_earth(tmp_path, village):
    lon, lat = TO_GK.transform(X0 + 900, Y0 + 900, direction="INVERSE")
    path = write_layer(tmp_path / "stations.kml", [shapely.Point(lon, lat)], {"Name": ["测试村便民点"]},
                       crs="EPSG:4326", driver="KML")
    result = imported(path, "stations", mapping={"name": "Name"})
    assert result.ok, result.errors
    assert ServiceStation.objects.get(name="测试村便民点").community == village


BAD_POLYGON = shapely.Polygon([(X0, Y0), (X0 + 400, Y0 + 400), (X0 + 400, Y0), (X0, Y0 + 400), (X0, Y0)])


@pytest.mark.parametrize("case, wanted, expected", [
    ("self_intersection", "invalid_geometry", "Self-intersection"),
    ("empty_geometry", "geometry_missing", "几何为空"),
    ("line_for_a_grid", "wrong_geometry_type", "几何类型为 LineString"),
    ("three_d", "z_or_m", "Z/M"),
    ("duplicate_codes", "duplicate_key", "重复"),
    ("code_in_use", "duplicate_key", "已存在"),
    ("missing_field", "required", "缺少必填字段 community_code"),
    ("unknown_community", "unknown_community", "社区/村 522624009999 不存在"),
    ("degrees_declared_as_metres", "degrees_as_metres", "像是经纬度"),
])
def test_bad_grid_files_are_refused_and_change_nothing(tmp_path, village, case, wanted, expected):
    code, other = VILLAGE + "001", VILLAGE + "002"
    fields = {"code": [code], "name": ["坏网格"], "community_code": [VILLAGE]}
    geometries = [WEST_HALF]
    crs = "EPSG:4545"
    if case == "self_intersection":
        geometries = [BAD_POLYGON]
    elif case == "empty_geometry":
        geometries = [None]
    elif case == "line_for_a_grid":
        geometries = [shapely.LineString([(X0, Y0), (X0 + 10, Y0 + 10)])]
    elif case == "three_d":
        geometries = [shapely.force_3d(WEST_HALF, 7.0)]
    elif case == "duplicate_codes":
        geometries, fields = [WEST_HALF, EAST_HALF], {k: v * 2 for k, v in fields.items()}
    elif case == "code_in_use":
        fields["code"] = [Grid.objects.current().order_by("code").first().code]
    elif case == "missing_field":
        del fields["community_code"]
    elif case == "unknown_community":
        fields["community_code"] = ["522624009999"]
    elif case == "degrees_declared_as_metres":
        lon, lat = TO_GK.transform(X0, Y0, direction="INVERSE")
        geometries = [shapely.box(lon, lat, lon + 0.004, lat + 0.004)]
    path = write_layer(tmp_path / "bad.gpkg", geometries, fields, crs=crs,
                       geometry_type="Polygon" if case == "empty_geometry" else None)
    before = fingerprint()
    result = imported(path, "grids")
    assert not result.ok
    assert any(e.code == wanted and expected in e.message for e in result.errors), result.errors
    assert fingerprint() == before
    assert result.job.status == ImportJob.Status.FAILED and result.job.counts["errors"] >= 1
    assert not Grid.objects.filter(code__in=[code, other], community=village).exists()


def test_invalid_geometry_is_located_and_fix_repairs_it(tmp_path, village):
    path = write_layer(tmp_path / "bowtie.gpkg", [BAD_POLYGON],
                       {"code": [VILLAGE + "001"], "name": ["蝴蝶结网格"], "community_code": [VILLAGE]}, crs="EPSG:4545")
    refused = imported(path, "grids")
    error = refused.errors[0]
    assert error.number == 1 and error.attributes["name"] == "蝴蝶结网格"
    assert error.location == pytest.approx((X0 + 200, Y0 + 200))
    fixed = imported(path, "grids", fix=True)
    assert fixed.ok and [r.code for r in fixed.repairs] == ["repaired_geometry"]
    assert Grid.objects.current().get(code=VILLAGE + "001").geom.num_geom == 2  # the two triangles of the bow-tie


def test_swapped_axes_and_missing_crs_are_refused_with_the_reason(tmp_path, village):
    lon, lat = TO_GK.transform(X0 + 100, Y0 + 100, direction="INVERSE")
    swapped = tmp_path / "swapped.csv"
    swapped.write_text(f"地址,lon,lat\n测试地址,{lat},{lon}\n", encoding="utf-8")
    before = fingerprint()
    result = imported(swapped, "buildings", crs="cgcs2000")
    assert not result.ok and "写反" in result.errors[0].message and result.errors[0].number == 1
    assert result.errors[0].code == "axes_swapped" and result.errors[0].location == pytest.approx((lat, lon))
    no_crs = tmp_path / "nocrs.csv"
    no_crs.write_text(f"地址,lon,lat\n测试地址,{lon},{lat}\n", encoding="utf-8")
    result = imported(no_crs, "buildings")
    assert not result.ok and "--crs" in result.errors[0].message and result.errors[0].code == "crs_missing"
    assert fingerprint() == before


def test_truncated_zip_is_refused(tmp_path, village):
    archive = zipped_shapefile(tmp_path, "grids", keep_cpg=True, geometries=[WEST_HALF],
                               fields={"code": [VILLAGE + "001"], "name": ["网格"], "community_code": [VILLAGE]},
                               crs="EPSG:4545")
    cut = tmp_path / "cut.zip"
    cut.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    result = imported(cut, "grids")
    assert not result.ok and "损坏" in result.errors[0].message and result.errors[0].code == "archive_damaged"


def test_dry_run_reports_the_databases_refusals_and_writes_nothing(tmp_path, village):
    outside = shapely.box(X0 - 2000, Y0, X0 - 1000, Y0 + 1000)  # west of the village: outside its community
    path = write_layer(tmp_path / "outside.gpkg", [outside],
                       {"code": [VILLAGE + "001"], "name": ["越界网格"], "community_code": [VILLAGE]}, crs="EPSG:4545")
    before = fingerprint()
    result = imported(path, "grids", dry_run=True)
    assert not result.ok and result.errors[0].code == "outside_community"
    message = result.errors[0].message
    assert message.startswith(f"网格 {VILLAGE}001 超出所属社区/村 ") and message.endswith(" m²（数据库将拒绝写入）")
    good = write_layer(tmp_path / "good.gpkg", [WEST_HALF],
                       {"code": [VILLAGE + "001"], "name": ["网格"], "community_code": [VILLAGE]}, crs="EPSG:4545")
    result = imported(good, "grids", dry_run=True)
    assert result.ok and result.job.counts["would_create"] == 1 and result.job.status == ImportJob.Status.CHECKED
    assert fingerprint() == before


def test_command_reports_errors_and_exits_non_zero(tmp_path, village, capsys):
    path = write_layer(tmp_path / "bad.gpkg", [BAD_POLYGON],
                       {"code": [VILLAGE + "001"], "name": ["坏"], "community_code": [VILLAGE]}, crs="EPSG:4545")
    with pytest.raises(CommandError, match="数据库未作任何改动"):
        call_command("import_data", str(path), "--target", "grids", verbosity=0)
    assert "Self-intersection" in capsys.readouterr().err
    call_command("import_data", str(path), "--target", "grids", "--fix", verbosity=0)
    assert Grid.objects.current().filter(code=VILLAGE + "001").exists()


def test_mixed_and_empty_geometries_are_each_reported(tmp_path, village):
    point = shapely.Point(X0 + 10, Y0 + 10)
    path = write_layer(tmp_path / "mixed.geojson", [WEST_HALF, point, shapely.Polygon()],
                       {"code": [VILLAGE + "001", VILLAGE + "002", VILLAGE + "003"], "name": ["甲", "乙", "丙"],
                        "community_code": [VILLAGE] * 3}, crs="EPSG:4545", geometry_type="Unknown")
    before = fingerprint()
    result = imported(path, "grids")
    messages = {e.number: e.message for e in result.errors}
    assert "几何类型为 Point" in messages[2] and "几何为空" in messages[3] and 1 not in messages
    assert {e.number: e.code for e in result.errors} == {2: "wrong_geometry_type", 3: "geometry_missing"}
    assert fingerprint() == before


def test_a_roads_layer_imports_one_road_per_line_part_and_the_walking_network_uses_it(tmp_path):
    from geogrid.circles.services import build_network_from_roads
    from geogrid.roads.models import Road

    lanes = shapely.MultiLineString([[(X0, Y0 + 100), (X0 + 400, Y0 + 100)], [(X0, Y0 + 300), (X0 + 400, Y0 + 300)]])
    avenue = shapely.LineString([(X0 + 200, Y0), (X0 + 200, Y0 + 400)])  # crosses both lanes
    path = write_layer(tmp_path / "roads.gpkg", [lanes, avenue], {"道路名称": ["测试巷", "测试大道"],
                                                                   "等级": ["巷道", "主干道"]},
                       crs="EPSG:4545", geometry_type="Unknown")
    before = Road.objects.count()
    result = imported(path, "roads")
    assert result.ok, result.errors
    new = Road.objects.order_by("pk")[before:]
    assert [(r.name, r.kind) for r in new] == [("测试巷", "residential"), ("测试巷", "residential"),
                                               ("测试大道", "primary")]
    network = build_network_from_roads(name="含导入道路")
    crossings = network.edges.filter(name="测试大道").count()
    assert crossings == 3  # the avenue is noded where both lanes cross it


def test_a_polygon_file_is_refused_as_roads_and_changes_nothing(tmp_path):
    path = write_layer(tmp_path / "not-roads.gpkg", [VILLAGE_SQUARE], {"name": ["面"]}, crs="EPSG:4545")
    before = fingerprint()
    result = imported(path, "roads")
    assert not result.ok and "LineString" in str(result.errors)
    assert fingerprint() == before
