"""The upload page in a real browser: a queued import shows its progress bar and then its report."""
import pytest
import shapely

from geogrid.grids.models import Grid
from tests.browsing import log_in
from tests.demo_facts import COMMUNITY
from tests.helpers import interior_point_of
from tests.importing import write_layer

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def upload(page, app_server, path, target: str, dry_run: bool = True) -> None:
    page.goto(f"{app_server}/imports/new")
    page.set_input_files("#id_file", str(path))
    page.select_option("#id_target", target)
    if dry_run:
        page.check("#id_dry_run")
    page.click("button:has-text('开始导入')")
    page.wait_for_function("() => document.querySelector('.job-summary').textContent.length > 0", timeout=20_000)


def test_a_dry_run_shows_progress_and_what_would_be_written(recorder, app_server, artifacts, tmp_path):
    grid = Grid.objects.current().filter(level=1).order_by("code").first()
    lon, lat = interior_point_of(grid.code)
    path = write_layer(tmp_path / "stations.geojson", [shapely.Point(lon, lat)], {"name": ["新便民服务点"]},
                       crs="EPSG:4326")
    page = recorder.page
    log_in(page, app_server, "admin")
    upload(page, app_server, path, "stations")
    assert page.locator(".job-progress").get_attribute("value") == "100"
    assert "试导入通过：将写入 1 条" in page.locator(".job-summary").inner_text()
    assert page.locator(".job-crs").inner_text() == "wgs84"
    page.screenshot(path=artifacts / "import-dry-run.png", full_page=True)
    recorder.assert_stayed_local()


def test_a_bad_file_lists_each_error_with_its_feature(recorder, app_server, artifacts, tmp_path):
    path = tmp_path / "grids.csv"
    path.write_text(f"code,name,community_code,lon,lat\n{COMMUNITY}999,坏网格,{COMMUNITY},108.68,26.95\n",
                    encoding="utf-8")
    page = recorder.page
    log_in(page, app_server, "admin")
    upload(page, app_server, path, "grids")
    assert "导入失败，数据库未作任何改动" in page.locator(".job-summary").inner_text()
    report = page.locator(".job-report").inner_text()
    assert "没有坐标系信息" in report
    page.screenshot(path=artifacts / "import-failed.png", full_page=True)
