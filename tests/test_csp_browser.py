"""Stored XSS and the Content-Security-Policy in a real browser: payloads planted as a station name, a
building address, a business grid name, a grid name and a ticket description show as literal text on every
page that shows them (tooltips and popups opened, search results listed), run nothing, and no page of ours
trips its own policy. Desktop and phone sizes.

The payloads are committed (the server is another process) on a connection of their own and put back after.
Tooltips and popups are opened from the test through every Leaflet map the page made (captured by an init
script when Leaflet loads), so a string content parsed as HTML would run its payload here.
"""
import pytest
from django.db import DEFAULT_DB_ALIAS, connections

from geogrid.buildings.models import Building
from geogrid.departments.models import BusinessGrid
from geogrid.events.models import Event
from geogrid.grids.models import Grid
from geogrid.stations.models import ServiceStation
from tests.browsing import log_in
from tests.demo_facts import COMMUNITY

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PHONE = {"width": 390, "height": 844}
PAYLOADS = {
    "station": '<img src=x onerror="window.__xss=1">站点',
    "building": "<script>window.__xss=2</script>楼栋",
    "business_grid": '<img src=x onerror="window.__xss=3">业务网格',
    "grid": '<svg onload="window.__xss=4">网格',
    "event": '<img src=x onerror="window.__xss=5">工单',
}
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
let leaflet;
Object.defineProperty(window, "L", { configurable: true, get: () => leaflet, set: (value) => {
  leaflet = value;
  if (value && value.Map) value.Map.addInitHook(function () { (window.__maps = window.__maps || []).push(this); });
} });
"""
OPEN_PAYLOADS = """() => {
  const shown = [];
  for (const map of window.__maps || []) map.eachLayer((layer) => {
    for (const [overlay, open] of [[layer.getTooltip && layer.getTooltip(), "openTooltip"],
                                   [layer.getPopup && layer.getPopup(), "openPopup"]]) {
      if (!overlay || !overlay._content) continue;
      const content = typeof overlay._content === "function" ? overlay._content(layer) : overlay._content;
      const text = typeof content === "string" ? content : content.textContent;
      if (text.includes("__xss")) { layer[open](); shown.push(text); }
    }
  });
  return shown;
}"""


def _plant(cursor, table: str, column: str, pk: int, value: str) -> str:
    cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
    before = cursor.fetchone()[0]
    cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, pk])
    return before


@pytest.fixture
def planted():
    """The payloads, committed where the app server reads them; the old values back afterwards."""
    grid = Grid.objects.current().filter(community__code=COMMUNITY, level=1).order_by("code").first()
    rows = {
        "station": (ServiceStation, "name", ServiceStation.objects.order_by("id").first()),
        "building": (Building, "address", Building.objects.filter(grid_l1=grid).order_by("id").first()),
        "business_grid": (BusinessGrid, "name", BusinessGrid.objects.current().order_by("code").first()),
        "grid": (Grid, "name", grid),
        "event": (Event, "description", Event.objects.filter(location__isnull=False).order_by("id").first()),
    }
    connection = connections.create_connection(DEFAULT_DB_ALIAS)
    old = {}
    try:
        with connection.cursor() as cursor:
            for key, (model, column, row) in rows.items():
                old[key] = _plant(cursor, model._meta.db_table, column, row.pk, PAYLOADS[key])
        yield {key: row for key, (_, _, row) in rows.items()}
    finally:
        with connection.cursor() as cursor:
            for key, before in old.items():
                model, column, row = rows[key]
                cursor.execute(f"UPDATE {model._meta.db_table} SET {column} = %s WHERE id = %s", [before, row.pk])
        connection.close()


class Watched:
    """A page with the watcher installed, its console's policy messages and each response's policy header."""

    def __init__(self, recorder, viewport=None):
        self.recorder = recorder
        self.page = recorder.page
        if viewport:
            self.page.set_viewport_size(viewport)
        self.page.add_init_script(WATCH)
        self.console: list[str] = []
        self.page.on("console", lambda m: self.console.append(m.text)
                     if "Content Security Policy" in m.text or "Refused to" in m.text else None)

    def open(self, url: str):
        response = self.page.goto(url)
        assert response.status == 200, url
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy, url
        assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
        return self.page

    def assert_safe(self, *texts: str):
        page = self.page
        page.wait_for_timeout(300)  # an onerror fires once the broken image fails to load
        assert page.evaluate("window.__xss") is None, page.url
        body = page.locator("body").inner_text()
        for text in texts:
            assert text in body, (page.url, text)
        # Only what the policy is for may be refused: a resource from another host (Redoc's footer logo on
        # cdn.redoc.ly). Anything of ours, inline or eval would show here.
        ours = [v for v in page.evaluate("window.__violations") if not v.split()[1].startswith("https://")]
        assert ours == [], page.url
        assert [m for m in self.console if "'https://" not in m] == [], page.url
        assert self.recorder.errors == [], self.recorder.errors


def test_circles_show_planted_station_and_address_as_text(recorder, app_server, planted):
    watched = Watched(recorder)
    page = watched.page
    log_in(page, app_server, "street")
    watched.open(f"{app_server}/circles/")
    page.fill("input[name=new_sites]", "1")
    page.click(".run-button")
    page.wait_for_url("**/circles/?run=*", timeout=90_000)
    page.wait_for_selector(".circle-table tbody tr.total", timeout=30_000)
    watched.open(page.url)
    page.wait_for_selector(".circle-table tbody tr.total", timeout=30_000)
    shown = page.evaluate(OPEN_PAYLOADS)
    assert any(PAYLOADS["station"] in s for s in shown) and any(PAYLOADS["building"] in s for s in shown), shown
    watched.assert_safe(PAYLOADS["station"], PAYLOADS["building"])


def test_alignment_and_coverage_show_planted_grid_names_as_text(recorder, app_server, planted):
    watched = Watched(recorder)
    page = watched.page
    log_in(page, app_server, "street")
    watched.open(f"{app_server}/alignment/{planted['business_grid'].department.code}")
    page.wait_for_function("() => document.querySelector('.alignment-summary').textContent.includes('个业务网格')",
                           timeout=60_000)
    assert any(PAYLOADS["business_grid"] in s for s in page.evaluate(OPEN_PAYLOADS))
    watched.assert_safe(PAYLOADS["business_grid"])

    watched.open(f"{app_server}/coverage?area={COMMUNITY}")
    page.wait_for_function("() => !document.querySelector('.problem-summary').textContent.includes('正在校验')",
                           timeout=60_000)
    assert any(PAYLOADS["grid"] in s for s in page.evaluate(OPEN_PAYLOADS))
    watched.assert_safe(PAYLOADS["grid"])


def test_the_map_search_lists_a_planted_grid_name_as_text(recorder, app_server, planted):
    watched = Watched(recorder)
    page = watched.page
    log_in(page, app_server, "street")
    watched.open(f"{app_server}/")
    page.fill("#search input", planted["grid"].code)
    page.locator("#search-results li.hit").first.wait_for(timeout=30_000)
    watched.assert_safe(PAYLOADS["grid"])


@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_the_ticket_page_and_the_report_page(recorder, app_server, planted, viewport):
    watched = Watched(recorder, viewport)
    page = watched.page
    log_in(page, app_server, "street")
    watched.open(f"{app_server}/events/{planted['event'].pk}")
    page.wait_for_timeout(1000)
    watched.assert_safe(PAYLOADS["event"])
    watched.open(f"{app_server}/report/")
    page.wait_for_timeout(1000)
    watched.assert_safe()


READY = {"swagger": ".swagger-ui .opblock", "redoc": "[role=menuitem], .menu-content li", "admin": "#content-main",
         "admin-map": ".leaflet-container path.leaflet-interactive"}


@pytest.mark.parametrize("page_name", READY)
def test_the_api_docs_and_the_admin_work_under_the_policy(recorder, app_server, page_name):
    """The admin's map widget runs its inline start-up script by the request's nonce."""
    grid = Grid.objects.current().filter(level=1).order_by("code").first()
    url = {"swagger": "/api/schema/swagger/", "redoc": "/api/schema/redoc/", "admin": "/admin/",
           "admin-map": f"/admin/grids/grid/{grid.pk}/change/"}[page_name]
    watched = Watched(recorder)
    page = watched.page
    log_in(page, app_server, "admin")
    watched.open(f"{app_server}{url}")
    ready = READY[page_name]
    page.locator(ready).first.wait_for(timeout=60_000)
    watched.assert_safe()
