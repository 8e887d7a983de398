"""Declared inputs of locate, search, building, grids.geojson, export, imports/<id> and auth/token: every bad
query string is a 400 with a stable code (NUL in search gave 500 before), in the one error shape."""
import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from tests.browsing import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def street() -> APIClient:
    client = APIClient()
    client.force_authenticate(User.objects.get(username="street"))
    return client


@pytest.mark.parametrize("url, params, code, field", [
    ("/api/v1/search", {"q": "网格\x00"}, "null_characters_not_allowed", "q"),  # was a 500
    ("/api/v1/search", {"q": "x" * 101}, "max_length", "q"),
    ("/api/v1/search", {"q": "1", "limit": "5"}, "unknown_field", "limit"),
    ("/api/v1/locate", {"lon": "108.68\x00", "lat": "26.95"}, "null_characters_not_allowed", "lon"),
    ("/api/v1/locate", {"lon": "108.68"}, "required", "lat"),
    ("/api/v1/locate", {"lon": "108.68", "lat": "26.95", "crs": "mars"}, "invalid_coordinates", None),
    ("/api/v1/building", {"id": "abc"}, "invalid", "id"),
    ("/api/v1/building", {"id": str(2**70)}, "max_value", "id"),
    ("/api/v1/building", {}, "required", "id"),
    ("/api/v1/building", {"id": "999999999"}, "not_found", None),
    ("/api/v1/grids.geojson", {"level": "abc"}, "invalid_choice", "level"),
    ("/api/v1/export", {"target": "grids", "format": "exe"}, "invalid_choice", "format"),
    ("/api/v1/export", {"target": "grids", "format": "geojson", "area": "5226\x00"}, "null_characters_not_allowed",
     "area"),
    ("/api/v1/export", {"target": "areas", "format": "xlsx"}, "ledger_grids_only", "format"),
    ("/api/v1/imports/999999999", {}, "not_found", None),
])
def test_bad_query_strings_are_400_with_a_code(street, url, params, code, field):
    response = street.get(url, params)
    body = response.json()
    assert response.status_code == (404 if code == "not_found" else 400), body
    assert set(body) >= {"code", "message", "field"} and body["field"] == field
    assert body["code"] == code, body
    assert " / " not in body["message"]  # Chinese only, no "中文 / English"


def test_the_export_form_check_keeps_every_reason(street):
    body = street.get("/api/v1/export", {"target": "areas", "format": "xlsx", "crs": "other",
                                         "epsg": "EPSG:99999"}).json()
    assert body["field"] == "format" and body["message"].startswith("Excel 台账只用于网格")
    assert set(body["errors"]) == {"format", "epsg"}


@pytest.mark.parametrize("data, code", [
    ({"username": "street"}, "required"),
    ({"username": ["street"], "password": PASSWORD}, "not_a_string"),
    ({"username": "street\x00", "password": PASSWORD}, "null_characters_not_allowed"),
    ({"username": "street", "password": PASSWORD, "user_id": 1}, "unknown_field"),
    ([1, 2, 3], "invalid"),
])
def test_bad_token_requests_are_400_with_a_code(data, code):
    response = APIClient().post("/api/v1/auth/token", data, format="json")
    assert response.status_code == 400 and response.json()["code"] == code


def test_a_point_outside_every_grid_says_so_in_chinese(street):
    body = street.get("/api/v1/locate", {"lon": "108.2", "lat": "26.5"}).json()
    assert body["covered"] is False and body["message"] == "该位置不在任何网格内"
    assert body["nearest_grid"]["code"].startswith("5226")
