"""The job page in a real browser: an import's counts, then its undo button takes it back."""
import pytest
import shapely

from geogrid.grids.models import Grid
from geogrid.stations.models import ServiceStation
from tests.browsing import log_in
from tests.helpers import interior_point_of
from tests.importing import write_layer
from tests.test_import_page import upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_an_import_shows_its_counts_and_is_undone_from_its_page(recorder, app_server, artifacts, tmp_path):
    grid = Grid.objects.current().filter(level=1).order_by("code").first()
    lon, lat = interior_point_of(grid.code)
    path = write_layer(tmp_path / "stations.geojson", [shapely.Point(lon, lat)], {"name": ["撤销测试服务点"]},
                       crs="EPSG:4326")
    page = recorder.page
    log_in(page, app_server, "admin")
    upload(page, app_server, path, "stations", dry_run=False)
    assert "已导入 1 条" in page.locator(".job-summary").inner_text()
    assert page.locator("[data-count=created] strong").inner_text() == "1"
    assert page.locator(".job-mode").inner_text().startswith("新增")
    assert ServiceStation.objects.filter(name="撤销测试服务点").count() == 1
    page.screenshot(path=artifacts / "import-succeeded.png", full_page=True)

    page.once("dialog", lambda dialog: dialog.accept())
    page.click(".job-undo-button")
    page.wait_for_function("() => document.querySelector('.job-status').textContent === '已撤销'", timeout=20_000)
    assert page.locator(".job-summary").inner_text().startswith("已撤销（")
    assert page.locator(".job-undo-button").count() == 0
    assert not ServiceStation.objects.filter(name="撤销测试服务点").exists()
    page.screenshot(path=artifacts / "import-undone.png", full_page=True)
    recorder.assert_stayed_local()
