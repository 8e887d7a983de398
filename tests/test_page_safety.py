"""Page safety without a browser: the Content-Security-Policy header on every kind of page, no inline script
or handler left in a template, and bodies over the limit refused (413) from Content-Length."""
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.browsing import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = [*ROOT.glob("maps/templates/**/*.html"), *ROOT.glob("geogrid/*/templates/**/*.html")]

pytestmark = pytest.mark.django_db


@pytest.fixture
def street(client: Client) -> Client:
    client.login(username="street", password=PASSWORD)
    return client


def directives(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in header.split("; ")}


@pytest.mark.parametrize("url", ["/", "/circles/", "/alignment/", "/coverage", "/events/", "/report/",
                                 "/imports/new", "/exports/", "/admin/", "/api/schema/", "/accounts/login/"])
def test_every_page_has_the_policy(street, url):
    response = street.get(url)
    assert response.status_code == 200, url
    policy = directives(response)
    assert policy["script-src"] == ["'self'"] and policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["style-src"] and policy["connect-src"] == ["'self'"]


@pytest.mark.parametrize("url", ["/api/schema/swagger/", "/api/schema/redoc/"])
def test_the_api_docs_run_no_inline_script(client, url):
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert directives(response)["script-src"] == ["'self'"]
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "an inline script"
    assert "googleapis" not in html


def test_no_template_has_an_inline_script_handler_or_style():
    found = []
    for path in TEMPLATES:
        text = path.read_text()
        for pattern in (r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", r"\son[a-z]+=", r"<style",
                        r"\|safe\b", r"javascript:"):
            found += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in re.finditer(pattern, text)]
    assert found == []


def test_an_api_body_over_the_limit_is_refused_before_it_is_read(street, settings):
    settings.GEOGRID_MAX_REQUEST_BODY = 1024
    response = street.post("/api/v1/events", data="x" * 2048, content_type="application/json")
    assert response.status_code == 413
    assert response.json() == {"code": "body_too_large", "message": response.json()["message"], "field": None}
    assert "上限" in response.json()["message"]
    page = street.post("/imports/new", data="x" * 2048, content_type="application/octet-stream")
    assert page.status_code == 413 and page["Content-Type"].startswith("text/plain")


def test_a_json_body_is_held_to_the_form_data_limit_a_file_upload_is_not(street, settings):
    """DRF parses a JSON body from the stream, past Django's DATA_UPLOAD_MAX_MEMORY_SIZE check: the middleware
    applies it from Content-Length; multipart uploads get GEOGRID_MAX_REQUEST_BODY."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = street.post("/api/v1/events", data="x" * 2048, content_type="application/json")
    assert response.status_code == 413 and response.json()["code"] == "body_too_large"
    photo = SimpleUploadedFile("photo.jpg", b"\xff\xd8\xff" + b"\0" * 4096, content_type="image/jpeg")
    upload = street.post("/open311/v2/requests.json", data={"description": "路灯坏了", "media": photo})
    assert upload.status_code != 413 and int(upload.request["CONTENT_LENGTH"]) > 4096


def test_a_body_within_the_limit_goes_through(street, settings):
    settings.GEOGRID_MAX_REQUEST_BODY = 1024
    response = street.post("/api/v1/events", data="{}", content_type="application/json")
    assert response.status_code != 413
