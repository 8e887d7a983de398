"""The 15分钟服务圈 page in a real browser: queue a run with site suggestions, watch it finish, read the map,
the suggested sites and the coverage table. The browser's server commits, so this run stays in the test
database (tests/test_circles.py never counts runs)."""
import pytest

from geogrid.areas.models import Area
from geogrid.demo.town import STREET_CODE
from geogrid.stations.models import ServiceStation
from tests import demo_facts as facts
from tests.browsing import log_in
from tests.helpers import homes

pytestmark = [pytest.mark.django_db, pytest.mark.browser]


def test_the_page_computes_a_run_and_shows_circles_sites_and_the_table(recorder, app_server, artifacts):
    page = recorder.page
    log_in(page, app_server, "street")
    page.goto(f"{app_server}/circles/")
    assert page.locator(".topbar a", has_text="服务圈").count() == 1
    page.fill("input[name=new_sites]", "2")
    page.click(".run-button")
    page.wait_for_url("**/circles/?run=*", timeout=60_000)
    page.wait_for_selector(".circle-table tbody tr.total", timeout=30_000)
    summary = page.locator(".circle-summary").inner_text()
    (buildings, households), stations = homes(STREET_CODE), ServiceStation.objects.count()
    covered = facts.TIME_COVERED[-1]
    share = f"{round(covered / households, 4):.1%}"  # the table's and the sites' share: rounded to 4 places first
    assert f"共 {households:,} 户、{buildings:,} 栋，站点 {stations} 个" in summary
    assert f"15分钟内 {covered:,} 户（{covered / households:.1%}）" in summary
    assert f"圈外 {households - covered:,} 户" in summary
    total = page.locator(".circle-table tbody tr.total").inner_text().split("\t")
    assert total == ["合计", f"{households:,}", *(f"{n:,}" for n in facts.TIME_COVERED), share]
    grids = page.locator(".circle-table tbody tr:not(.total)")
    assert grids.count() > 20 and page.locator(".circle-table tbody tr.low").count() > 0
    # MCLP's two sites on the map and in the list, with their gains adding up to the reported total.
    assert page.locator(".site-icon.site-mclp").count() == 2
    mclp = page.locator(".site-method.site-mclp").inner_text()
    assert mclp.startswith("最大覆盖（MCLP）：2 个，新增覆盖") and f"{share} →" in mclp
    assert page.locator(".leaflet-overlay-pane path, .leaflet-overlay-pane canvas").count() > 0
    # Our own basemap: the streets and water the circles follow, drawn from /tiles/ over the hillshade.
    page.wait_for_function("() => [...document.querySelectorAll('canvas.mvt-tile[data-tileset=basemap]')]"
                           ".reduce((n, c) => n + Number(c.dataset.features || 0), 0) > 0", timeout=60_000)
    assert page.locator(".leaflet-basemap-pane canvas.mvt-tile").count() > 0
    page.screenshot(path=artifacts / "circles.png")
    # The level switch re-reads the table per community: each community and village, then the total.
    communities = Area.objects.communities().filter(parent__code=STREET_CODE).count()
    page.select_option(".table-level", "community")
    page.wait_for_function(f"() => document.querySelectorAll('.circle-table tbody tr').length === {communities + 1}")
    assert "城西社区" in page.locator(".circle-table tbody").inner_text()
    assert page.locator(".export-xlsx").get_attribute("href").endswith("/export.xlsx")
    # A run choosing among the planner's own points: MCLP's first site above, and one on a far hill.
    from geogrid.circles.models import SiteSuggestion

    first = SiteSuggestion.objects.get(run_id=int(page.url.split("run=")[1]), method="mclp", rank=1)
    page.click(".candidate-box summary")
    page.fill("textarea[name=candidates]", f"{first.point.x:.7f}, {first.point.y:.7f}\n108.2 27.3\n")
    page.fill("input[name=new_sites]", "1")
    page.click(".run-button")
    page.wait_for_url(lambda url: "run=" in url and not url.endswith(f"run={first.run_id}"), timeout=60_000)
    page.wait_for_selector(".site-method.site-mclp", timeout=30_000)
    assert (page.locator(".site-list li").first.inner_text()
            == f"（候选 1）新增覆盖 {first.gain} 户（{first.gain_buildings} 栋）")
    assert "候选 2（#2）到路网的步行已达" in page.locator(".sites").inner_text()
    recorder.assert_stayed_local()
