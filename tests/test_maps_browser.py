"""The web map in a real browser (Debian's chromium) against a real server on the demo town.

Every network request is recorded: the map and the admin must work on an intranet, so nothing may leave
127.0.0.1 (no CDN, no online basemap): the basemap and every layer come from our own /tiles/. Screenshots go
to tests/artifacts/; the map with a grid card open is also copied to docs/screenshot.png for the README when
that file is missing or GEOGRID_README_SCREENSHOT=1.
"""
import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest

from geogrid.buildings.models import Building
from geogrid.grids.models import Grid
from tests.browsing import log_in
from tests.demo_facts import COMMUNITY
from tests.helpers import interior_point_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

# Playwright's sync API keeps an event loop running in this thread; the ORM queries these tests make
# (between browser steps, never concurrently with them) are safe.

README_SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "screenshot.png"


# Tiles are rendered on first request (the test database starts with an empty tile cache), by a development
# server that opens a database connection per request: the first views take a few seconds.
TILE_TIMEOUT = 60_000


def drawn(tileset: str) -> str:
    """JS: how many features the loaded canvas tiles of a tileset drew (mvt.js sets data-features)."""
    return (f"[...document.querySelectorAll('#map canvas.mvt-tile[data-tileset=\"{tileset}\"]')]"
            ".reduce((n, c) => n + Number(c.dataset.features || 0), 0)")


def wait_for_tiles(page, *tilesets: str) -> None:
    """Until every named tileset has drawn something and no tile layer is still loading."""
    condition = " && ".join(f"{drawn(t)} > 0" for t in tilesets)
    idle = "(() => { let busy = false; geogridMap.eachLayer(l => { busy = busy || (l.isLoading && l.isLoading()); });" \
           " return !busy; })()"
    page.wait_for_function(f"() => {condition} && {idle}", timeout=TILE_TIMEOUT)


def switch(page, label: str, on: bool) -> None:
    box = page.locator(".leaflet-control-layers label", has_text=label).locator("input")
    box.check() if on else box.uncheck()


def search(page, text: str):
    """Type into the map's search box; returns the results list."""
    page.fill("#search input", text)
    return page.locator("#search-results")


def card_value(page, dl: str, cls: str) -> str:
    return page.locator(f"#card dl.{dl} dd.{cls}").inner_text().strip()


def click_at(page, lat: float, lon: float) -> None:
    """A real mouse click on a point of the map."""
    x, y = page.evaluate("([lat, lon]) => { const p = geogridMap.latLngToContainerPoint([lat, lon]);"
                         " const box = document.getElementById('map').getBoundingClientRect();"
                         " return [box.left + p.x, box.top + p.y]; }", [lat, lon])
    page.mouse.click(x, y)


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
    wait_for_tiles(page, "grids-1", "basemap")
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
    wait_for_tiles(page, "grids-1")
    # Hovering names the grid under the cursor (points could sit on top: hide them for this).
    switch(page, "事件", False)
    switch(page, "服务站点", False)
    page.mouse.move(x, y)
    assert page.locator(".coords").inner_text().startswith("CGCS2000 经度 ")
    page.locator(".leaflet-tooltip.hover-tip", has_text=grid.code).wait_for()
    assert grid.name in page.locator(".leaflet-tooltip.hover-tip").inner_text()
    page.mouse.click(x, y)
    card = page.locator("#card")
    card.locator("dl.grid").wait_for()
    assert card.locator("dl.grid .code").first.inner_text() == grid.code
    text = card.inner_text()
    for expected in ("网格卡片", grid.name, "一级网格", "综合网格", grid.community.name, "网格力量", "业务网格"):
        assert expected in text
    assert "****" in text and not re.search(r"1[3-9]\d{9}", text)  # no full mobile number on the card
    page.wait_for_function(f"() => {drawn('selected-grid')} > 0", timeout=TILE_TIMEOUT)  # the grid outlined in red
    page.wait_for_timeout(200)
    page.screenshot(path=artifacts / "map-card.png")
    if os.environ.get("GEOGRID_README_SCREENSHOT") == "1" or not README_SCREENSHOT.exists():
        README_SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(artifacts / "map-card.png", README_SCREENSHOT)

    # The layer switcher hides level-1 grids and their names; logging out leads back to the login page.
    assert page.locator("#map canvas[data-tileset=grids-1]").count() > 0
    assert page.locator(".leaflet-tooltip.grid-label").count() > 0
    switch(page, "一级网格", False)
    assert page.locator("#map canvas[data-tileset=grids-1]").count() == 0
    page.wait_for_function("() => !document.querySelector('.leaflet-tooltip.grid-label')")  # labels fade out in 200 ms
    page.click(".topbar button:has-text('退出')")
    assert urlparse(page.url).path == "/accounts/login/"
    recorder.assert_stayed_local()


def test_the_map_draws_our_own_basemap_and_grid_tiles(recorder, app_server, artifacts):
    """Hillshade raster, roads and water, grids by level: all tiles served by us, none from outside."""
    page = recorder.page
    statuses: dict[str, int] = {}
    page.on("response", lambda r: statuses.__setitem__(r.url, r.status) if "/tiles/" in r.url else None)
    log_in(page, app_server, "street")
    wait_for_tiles(page, "basemap", "grids-1", "areas", "stations", "events")
    page.locator("#map .raster-hillshade img.leaflet-tile-loaded").first.wait_for()

    kinds = {urlparse(url).path.split("/")[2] for url in statuses}
    assert {"raster", "basemap", "grids-1", "grids-2", "areas", "stations", "events"} <= kinds
    assert set(statuses.values()) <= {200, 304}
    # Drawn pixels, not just loaded tiles: the grid tiles have opaque strokes, the hillshade is an image.
    opaque = page.evaluate("""() => [...document.querySelectorAll('#map canvas[data-tileset="grids-1"]')]
        .filter(c => Number(c.dataset.features) > 0)
        .map(c => c.getContext('2d').getImageData(0, 0, c.width, c.height).data
                   .filter((v, i) => i % 4 === 3 && v > 0).length)""")
    assert opaque and min(opaque) > 0
    assert page.evaluate("document.querySelector('#map .raster-hillshade img.leaflet-tile-loaded').naturalWidth") == 256
    # Our basemap is the only one: online basemaps are off unless the settings name some.
    bases = page.locator(".leaflet-control-layers-base label").all_inner_texts()
    assert [b.strip() for b in bases] == ["本地底图"]
    overlays = " ".join(page.locator(".leaflet-control-layers-overlays label").all_inner_texts())
    for name in ("一级网格", "二级网格", "三级网格", "业务网格·城关派出所", "服务站点", "事件", "社区/村界", "房屋",
                 "地形晕渲"):
        assert name in overlays
    # A metric scale bar, the legend, and CGCS2000 coordinates under the cursor.
    assert re.fullmatch(r"\d+ k?m", page.locator(".leaflet-control-scale-line").inner_text().strip())
    legend = page.locator(".legend").inner_text()
    for name in ("一级网格", "三级网格", "房屋", "业务网格", "党群服务中心"):
        assert name in legend
    box = page.locator("#map").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    lon, lat = map(float, re.fullmatch(r"CGCS2000 经度 (\d+\.\d{6})\s+纬度 (\d+\.\d{6})",
                                       page.locator(".coords").inner_text()).groups())
    centre = page.evaluate("(() => { const c = geogridMap.containerPointToLatLng(geogridMap.getSize().divideBy(2));"
                           " return [c.lng, c.lat]; })()")
    assert abs(lon - centre[0]) < 1e-4 and abs(lat - centre[1]) < 1e-4
    # The hillshade is an overlay of its own: switched off, its tiles go.
    switch(page, "地形晕渲", False)
    assert page.locator("#map .raster-hillshade").count() == 0
    switch(page, "地形晕渲", True)

    # Closer in, level-3 grids and buildings join (their tiles start at z14).
    level3 = Grid.objects.current().filter(level=3).order_by("code").first()
    lon, lat = interior_point_of(level3.code)
    page.evaluate("([lat, lon]) => geogridMap.setView([lat, lon], 17, {animate: false})", [lat, lon])
    wait_for_tiles(page, "grids-3", "buildings")
    page.wait_for_timeout(200)
    page.screenshot(path=artifacts / "map-z17.png")
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


def test_searching_a_grid_code_opens_that_grids_card_with_its_plan(recorder, app_server, artifacts):
    """A level-1 grid with finer grids inside: the card is the searched grid's, not the finest at its point."""
    grid = (Grid.objects.current().filter(community__code=COMMUNITY, level=1, children__isnull=False).distinct()
            .select_related("community").order_by("code").first())
    page = recorder.page
    log_in(page, app_server, "community")
    wait_for_tiles(page, "grids-1")

    results = search(page, grid.code)
    first = results.locator("li.hit").first
    first.wait_for()
    assert first.locator(".kind").inner_text() == "网格"
    assert first.locator(".label").inner_text() == f"{grid.name}（{grid.code}）"
    page.press("#search input", "Enter")  # Enter takes the first result
    page.locator("#card dl.grid").wait_for()
    assert results.is_hidden()
    assert card_value(page, "grid", "code") == grid.code
    text = page.locator("#card").inner_text()
    assert grid.name in text and grid.community.name in text and "一级网格" in text
    assert page.locator("#card dl.grid dd", has_text=re.compile(rf"^{grid.household_count}$")).count() == 1
    # The map flew to the grid and outlines it.
    page.wait_for_function(f"() => {drawn('selected-grid')} > 0", timeout=TILE_TIMEOUT)
    lon, lat = interior_point_of(grid.code)
    assert page.evaluate("([lat, lon]) => geogridMap.getBounds().contains([lat, lon])", [lat, lon])

    # 网格划分平面图 of the grid's community, and it opens.
    link = page.locator("#card .plan-link a")
    assert link.inner_text() == "网格划分平面图"
    assert link.get_attribute("href") == f"/plan/{grid.community.code}"
    wait_for_tiles(page, "grids-1")
    page.screenshot(path=artifacts / "map-search-grid.png")
    with page.context.expect_page() as plan:
        link.click()
    plan.value.wait_for_load_state()
    assert urlparse(plan.value.url).path == f"/plan/{grid.community.code}"
    assert grid.code in plan.value.content()

    # A query that finds nothing says so, in Chinese.
    search(page, "没有这个地方XYZ")
    page.press("#search input", "Enter")
    assert "未找到" in results.locator("li.empty").inner_text()
    recorder.assert_stayed_local()


def test_searching_an_address_shows_the_buildings_details(recorder, app_server, artifacts):
    building = (Building.objects.filter(community__code=COMMUNITY, households__gt=0)
                .select_related("grid_l1", "grid_l2", "grid_l3", "community").order_by("-households", "id").first())
    finest = building.grid_l3 or building.grid_l2 or building.grid_l1
    page = recorder.page
    log_in(page, app_server, "community")
    wait_for_tiles(page, "grids-1")

    hit = search(page, building.address).locator("li.hit.building").first
    hit.wait_for()
    assert hit.locator(".label").inner_text() == building.address  # the exact address comes first
    assert hit.locator(".detail").inner_text().startswith(f"{building.households} 户")
    hit.click()
    page.locator("#card dl.building").wait_for()
    assert page.locator("#card .card-title").inner_text() == "房屋信息 · 网格卡片"
    assert card_value(page, "building", "address") == building.address
    assert card_value(page, "building", "households") == str(building.households)
    assert card_value(page, "building", "resident-households") == str(building.resident_households)
    assert card_value(page, "building", "population") == str(building.population)
    assert card_value(page, "building", "floors") == f"{building.floors} 层"
    assert finest.code in card_value(page, "building", "building-grid")
    assert card_value(page, "grid", "code") == finest.code  # the card of the grid it is counted in
    # Flown close enough for buildings, the building outlined. The flight lasts 0.8 s and building tiles load
    # from z14, so wait for where it lands (a flight that stops short times out here) before the tiles there.
    page.wait_for_function(f"() => {drawn('selected-building')} > 0", timeout=TILE_TIMEOUT)
    page.wait_for_function("() => geogridMap.getZoom() >= 17", timeout=TILE_TIMEOUT)
    wait_for_tiles(page, "buildings")
    page.screenshot(path=artifacts / "map-search-address.png")
    recorder.assert_stayed_local()


def test_clicking_a_building_shows_its_details(recorder, app_server, artifacts):
    building = (Building.objects.filter(community__code=COMMUNITY, footprint__isnull=False, households__gt=0)
                .select_related("community").order_by("id").first())
    page = recorder.page
    log_in(page, app_server, "community")
    wait_for_tiles(page, "grids-1")
    # The building's point-on-surface, in the part of the map the card leaves free.
    lat, lon = building.point.y, building.point.x
    page.evaluate("([lat, lon]) => { geogridMap.setView([lat, lon], 18, {animate: false});"
                  " geogridMap.panBy([180, 0], {animate: false}); }", [lat, lon])
    wait_for_tiles(page, "buildings")
    switch(page, "事件", False)
    switch(page, "服务站点", False)
    click_at(page, lat, lon)
    page.locator("#card dl.building").wait_for()
    assert card_value(page, "building", "address") == building.address
    assert card_value(page, "building", "households") == str(building.households)
    assert card_value(page, "building", "population") == str(building.population)
    assert building.community.name in page.locator("#card dl.building").inner_text()
    assert page.locator("#card .plan-link a").get_attribute("href") == f"/plan/{building.community.code}"
    page.wait_for_function(f"() => {drawn('selected-building')} > 0", timeout=TILE_TIMEOUT)
    page.wait_for_timeout(200)
    page.screenshot(path=artifacts / "map-building.png")

    # Off the building (switched off, so the click lands on the bare grid): the grid card alone.
    switch(page, "房屋", False)
    click_at(page, lat, lon)
    page.wait_for_function("() => !document.querySelector('#card dl.building') && document.querySelector('#card dl.grid')")
    assert page.locator("#card .card-title").inner_text() == "网格卡片"
    recorder.assert_stayed_local()
