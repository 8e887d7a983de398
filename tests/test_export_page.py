"""The export page and API: files in the CRS asked for, kept inside the user's scope, and logged."""
import json
import zipfile
from io import BytesIO

import pytest
import shapely
from django.contrib.auth.models import User
from openpyxl import load_workbook

from geogrid.exports.models import ExportRecord
from geogrid.grids.models import Grid
from tests.browsing import PASSWORD, log_in
from tests.demo_facts import COMMUNITY, MARKET, OTHER_COMMUNITY, POLICE

pytestmark = pytest.mark.django_db


def client_for(client, username: str):
    client.force_login(User.objects.get(username=username))
    return client


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_community_user_gets_their_own_grids_in_gcj02_by_default_area(client):
    response = client_for(client, "community").post("/exports/", {"target": "grids", "format": "geojson",
                                                                  "crs": "gcj02"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    features = json.loads(body(response))["features"]
    expected = set(Grid.objects.current().filter(community__code=COMMUNITY).values_list("code", flat=True))
    assert {f["properties"]["code"] for f in features} == expected
    grid = Grid.objects.current().get(code=features[0]["properties"]["code"])
    stored = shapely.from_wkb(bytes(grid.geom.wkb))
    shifted = shapely.geometry.shape(features[0]["geometry"])
    offset = shapely.centroid(shifted).distance(shapely.centroid(stored))
    assert 0.001 < offset < 0.01  # GCJ-02 moves Guizhou by a few hundred metres
    record = ExportRecord.objects.filter(user__username="community").latest("created_at")
    assert (record.target, record.crs, record.area_code, record.count) == ("grids", "gcj02", COMMUNITY,
                                                                          len(expected))


def test_another_communitys_area_is_refused_and_not_logged(client):
    logged = ExportRecord.objects.count()
    response = client_for(client, "community").post("/exports/", {"target": "grids", "format": "geojson",
                                                                  "area": OTHER_COMMUNITY})
    assert response.status_code == 400
    assert "选择一个有效的选项" in response.content.decode()
    assert ExportRecord.objects.count() == logged


def test_shapefile_in_a_gauss_kruger_zone_through_the_api_with_a_token(client):
    user = User.objects.get(username="street")
    token = client.post("/api/v1/auth/token", {"username": "street", "password": PASSWORD}).json()["token"]
    response = client.get("/api/v1/export", {"target": "grids", "format": "shp", "crs": "other", "epsg": "EPSG:4545"},
                          HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200
    names = zipfile.ZipFile(BytesIO(body(response))).namelist()
    assert {n.rsplit(".", 1)[1] for n in names} == {"shp", "shx", "dbf", "prj", "cpg"}
    assert ExportRecord.objects.filter(user=user).latest("created_at").crs == "EPSG:4545"


def test_api_reports_bad_parameters_and_refuses_anonymous_users(client):
    assert client.get("/api/v1/export", {"target": "grids", "format": "geojson"}).status_code in (401, 403)
    response = client_for(client, "street").get("/api/v1/export", {"target": "areas", "format": "xlsx",
                                                                   "crs": "other", "epsg": "EPSG:99999"})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "Excel 台账只用于网格" in errors["format"][0]["message"] and "epsg" in errors


def test_a_department_user_exports_only_departments_they_serve(client):
    police = client_for(client, "police")
    response = police.post("/exports/", {"target": "business_grids", "format": "geojson"})
    codes = {f["properties"]["department_code"] for f in json.loads(body(response))["features"]}
    assert codes == {POLICE}
    refused = police.post("/exports/", {"target": "business_grids", "format": "geojson", "department": MARKET})
    assert refused.status_code == 400


def test_the_ledger_masks_phones_outside_the_users_scope(client):
    response = client_for(client, "street").post("/exports/", {"target": "grids", "format": "xlsx",
                                                               "area": COMMUNITY})
    sheet = load_workbook(BytesIO(body(response))).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert {r[0][:12] for r in rows} == {COMMUNITY}
    phones = "、".join(r[8] for r in rows if r[8])
    assert phones and "*" not in phones  # the street sees its communities' phones in full


@pytest.mark.browser
def test_the_export_page_downloads_a_geopackage(recorder, app_server, artifacts):
    page = recorder.page
    log_in(page, app_server, "community")
    page.goto(f"{app_server}/exports/")
    page.select_option("#id_target", "grids")
    page.select_option("#id_format", "gpkg")
    page.select_option("#id_crs", "wgs84")
    page.screenshot(path=artifacts / "export-page.png", full_page=True)
    with page.expect_download() as download:
        page.click("button:has-text('下载')")
    assert download.value.suggested_filename == "grids_wgs84.gpkg"
    page.goto(f"{app_server}/exports/")
    assert "网格" in page.locator("table.list tbody tr").first.inner_text()
    recorder.assert_stayed_local()
