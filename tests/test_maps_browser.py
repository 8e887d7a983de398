"""The web map in a real browser (Debian's chromium) against a real server on the demo town.

Every network request is recorded: the map and the admin must work on an intranet, so nothing may leave
127.0.0.1 (no CDN, no online basemap). Screenshots go to tests/artifacts/; the map with a grid card open is
also copied to docs/screenshot.png for the README when that file is missing or GEOGRID_README_SCREENSHOT=1.
"""
import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest

from geogrid.grids.models import Grid
from tests.browsing import log_in
from tests.helpers import interior_point_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

# Playwright's sync API keeps an event loop running in this thread; the ORM queries these tests make
# (between browser steps, never concurrently with them) are safe.

README_SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "screenshot.png"


def wait_for_grids(page, more_than: int) -> None:
    page.wait_for_function(
        f"document.querySelectorAll('#map path.leaflet-interactive').length > {more_than}", timeout=20_000
    )


def test_anonymous_visitor_is_sent_to_the_login_page(recorder, app_server):
    page = recorder.page
    page.goto(f"{app_server}/")
    assert urlparse(page.url).path == "/accounts/login/"
    assert page.locator("button[type=submit]").inner_text() == "登录"
    assert page.locator("label[for=id_username]").inner_text() == "用户名"
    assert page.locator("label[for=id_password]").inner_text() == "密码"
    recorder.assert_stayed_local()


def test_login_page_rejects_a_wrong_password(recorder, app_server):
    page = recorder.page
    log_in(page, app_server, "street", "not-the-password")
    assert urlparse(page.url).path == "/accounts/login/"
    assert "用户名或密码错误" in page.locator(".error").inner_text()
    assert page.locator("#map").count() == 0
    recorder.assert_stayed_local()


def test_department_user_sees_the_grids_and_a_click_opens_the_grid_card(recorder, app_server, artifacts):
    """As the police department's user: the whole street's grids, staff phones masked (also in the README)."""
    grid = (Grid.objects.current().filter(level=1, kind="comprehensive", children__isnull=True)
            .select_related("community").order_by("code").first())
    lon, lat = interior_point_of(grid.code)
    page = recorder.page

    log_in(page, app_server, "police")
    assert urlparse(page.url).path == "/"
    wait_for_grids(page, 30)
    assert "police" in page.locator(".topbar .user").inner_text()
    page.wait_for_timeout(300)  # let fitBounds settle before the screenshot
    page.screenshot(path=artifacts / "map.png")

    # Bring the grid's point-on-surface to the middle of the part of the map the card leaves free, then
    # click there with the mouse.
    page.evaluate("([lat, lon]) => { geogridMap.setView([lat, lon], Math.max(geogridMap.getZoom(), 15), "
                  "{animate: false}); geogridMap.panBy([180, 0], {animate: false}); }", [lat, lon])
    x, y = page.evaluate("([lat, lon]) => { const p = geogridMap.latLngToContainerPoint([lat, lon]);"
                         " const box = document.getElementById('map').getBoundingClientRect();"
                         " return [box.left + p.x, box.top + p.y]; }", [lat, lon])
    page.mouse.move(x, y)
    assert page.locator(".coords").inner_text().startswith("CGCS2000 经度 ")
    page.mouse.click(x, y)
    card = page.locator("#card")
    card.locator("dl.grid").wait_for()
    assert card.locator("dl.grid .code").first.inner_text() == grid.code
    text = card.inner_text()
    for expected in ("网格卡片", grid.name, "一级网格", "综合网格", grid.community.name, "网格力量", "业务网格"):
        assert expected in text
    assert "****" in text and not re.search(r"1[3-9]\d{9}", text)  # no full mobile number on the card
    page.wait_for_timeout(200)
    page.screenshot(path=artifacts / "map-card.png")
    if os.environ.get("GEOGRID_README_SCREENSHOT") == "1" or not README_SCREENSHOT.exists():
        README_SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(artifacts / "map-card.png", README_SCREENSHOT)

    # The layer switcher hides level-1 grids; logging out leads back to the login page.
    paths = page.locator("#map path.leaflet-interactive").count()
    page.locator(".leaflet-control-layers label", has_text="一级网格").locator("input").uncheck()
    assert page.locator("#map path.leaflet-interactive").count() < paths
    page.click(".topbar button:has-text('退出')")
    assert urlparse(page.url).path == "/accounts/login/"
    recorder.assert_stayed_local()


def test_admin_grid_form_shows_the_boundary_on_a_local_map(recorder, app_server, artifacts):
    grid = Grid.objects.current().filter(level=1).order_by("code").first()
    page = recorder.page
    log_in(page, app_server, "admin")
    page.goto(f"{app_server}/admin/grids/grid/{grid.pk}/change/")
    page.locator(".leaflet-container path.leaflet-interactive").first.wait_for()
    assert page.locator("#id_code").input_value() == grid.code
    page.wait_for_timeout(300)
    page.screenshot(path=artifacts / "admin-grid.png", full_page=True)
    recorder.assert_stayed_local()
