"""The served OpenAPI schema: (a) schemathesis over every operation as the street clerk (token) finds no server
error; (b) every /api/v1/ and /open311/v2/ URL is in it; (c) its Swagger and Redoc pages load nothing from
another origin.

(a) is bounded: 15 examples an operation, derandomized (the same cases every run), each operation in the
test's transaction. Left out: DELETE /api/v1/auth/token, which revokes the very token the run calls with
(every later case would only see 401). GEOGRID_SCHEMA_PATHS (a regex) runs (a) on some paths only.
"""
import json
import os
import re
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlparse

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from schemathesis.checks import not_a_server_error

from tests.schema_run import bounded, call, served_schema, token  # noqa: F401 (token is a fixture)

schema = served_schema(os.environ.get("GEOGRID_SCHEMA_PATHS")).exclude(method="DELETE", path="/api/v1/auth/token")


@schema.parametrize()
@bounded(15)
def test_no_input_gives_a_server_error(case, token):  # noqa: F811
    response = call(case, token)
    case.validate_response(response, checks=[not_a_server_error])
    assert response.status_code < 500, (case.as_curl_command(), response.text[:800])


# ---- (b) every API URL is documented ----------------------------------------------------------------------

DOCUMENTED = ("api/v1/", "open311/v2/")


def routes(patterns: list, prefix: str = "") -> set[str]:
    """Every URL route under `patterns`, its parameters written as OpenAPI does: `<int:pk>` -> `{pk}`."""
    found = set()
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found |= routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            found.add("/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route))
    return found


def test_every_api_url_is_in_the_schema(db):
    api_routes = {r for r in routes(get_resolver().url_patterns) if r.lstrip("/").startswith(DOCUMENTED)}
    assert len(api_routes) > 30 and "/api/v1/locate" in api_routes and "/open311/v2/requests/{pk}.json" in api_routes
    paths = set(json.loads(Client().get("/api/schema/?format=json").content)["paths"])
    assert sorted(unnamed(api_routes) - unnamed(paths)) == []


def unnamed(paths: set[str]) -> set[str]:
    """Paths with their parameters unnamed: the schema calls a `pk` `id` (SCHEMA_COERCE_PATH_PK)."""
    return {re.sub(r"\{\w+\}", "{}", path) for path in paths}


# ---- (c) the documentation pages are self-contained --------------------------------------------------------

class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts = 0
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value for name, value in attrs if name in ("src", "href", "spec-url") and value]
        self._in_script = tag == "script" and not dict(attrs).get("src")

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts += 1

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False


STATIC = "/" + settings.STATIC_URL.lstrip("/")
EXTERNAL = re.compile(r"""["'`]((?:https?:)?//[^"'`\s]+)""")


@pytest.mark.parametrize("page", ["/api/schema/swagger/", "/api/schema/redoc/"])
def test_the_documentation_pages_load_nothing_from_another_origin(page, db):
    client = Client()
    response = client.get(page)
    assert response.status_code == 200
    links = Links()
    links.feed(response.content.decode())
    assert links.urls and links.inline_scripts == 0, links.urls
    for url in links.urls:
        absolute = urlparse(urljoin(f"http://testserver{page}", url))
        assert absolute.netloc == "testserver", url
        if absolute.path.startswith(STATIC):  # vendored (drf-spectacular-sidecar), served by the static server
            assert finders.find(absolute.path.removeprefix(STATIC)), url
            continue
        asset = client.get(absolute.path, dict(parse_qsl(absolute.query, keep_blank_values=True)))
        assert asset.status_code == 200, url
        assert EXTERNAL.findall(asset.content.decode()) == [], url  # the init script names no outside URL
