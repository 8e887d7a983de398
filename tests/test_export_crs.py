"""Exports say their CRS and the importer reads it: a GCJ-02 file reads back in GCJ-02, never as WGS84."""
import json
import zipfile

import pytest
from django.contrib.auth.models import User

from geogrid.core.crs import parse_crs
from geogrid.exports.services import export_layer
from geogrid.imports.readers import open_source
from geogrid.imports.services import ImportOptions, run_import
from tests.demo_facts import COMMUNITY

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("fmt", ["geojson", "gpkg", "shp", "kml"])
def test_a_gcj02_export_is_marked_and_read_back_as_gcj02(fmt):
    exported = export_layer("grids", fmt, parse_crs("gcj02"), area_code=COMMUNITY)
    source = open_source(exported.path)
    assert (source.crs, source.crs_from_spec) == ("gcj02", False)
    if fmt == "geojson":
        member = json.loads(exported.path.read_text())["crs"]
        assert member == {"type": "name", "properties": {"name": "urn:geogrid:crs:gcj02"}}
    if fmt == "shp":
        assert any(n.endswith(".geogrid-crs") for n in zipfile.ZipFile(exported.path).namelist())


def test_a_marked_file_asked_for_in_another_crs_is_refused():
    exported = export_layer("grids", "geojson", parse_crs("gcj02"), area_code=COMMUNITY)
    result = run_import(exported.path, ImportOptions(target="grids", crs="wgs84", dry_run=True))
    assert [e.code for e in result.errors] == ["crs_mismatch"]


def test_an_epsg_geojson_declares_its_crs_and_a_contradicting_crs_is_refused():
    exported = export_layer("grids", "geojson", parse_crs("cgcs2000"), area_code=COMMUNITY)
    assert json.loads(exported.path.read_text())["crs"]["properties"]["name"].endswith("4490")
    result = run_import(exported.path, ImportOptions(target="grids", crs="gcj02", dry_run=True))
    assert [e.code for e in result.errors] == ["crs_mismatch"]


def test_an_unmarked_wgs84_geojson_is_read_as_the_user_says():
    exported = export_layer("grids", "geojson", parse_crs("wgs84"), area_code=COMMUNITY)
    assert open_source(exported.path).crs_from_spec


def test_the_export_api_takes_crs_as_an_epsg_code(client):
    client.force_login(User.objects.get(username="street"))
    response = client.get("/api/v1/export", {"target": "grids", "format": "gpkg", "crs": "EPSG:4545",
                                             "area": COMMUNITY})
    assert response.status_code == 200
    bad = client.get("/api/v1/export", {"target": "grids", "format": "gpkg", "crs": "EPSG:4545", "epsg": "EPSG:4546"})
    assert bad.status_code == 400 and bad.json()["field"] == "crs"
