"""The 覆盖校验 page in a real browser: every problem the validator finds is drawn and listed."""
import pytest

from geogrid.coverage.selectors import validate_coverage
from tests.browsing import log_in
from tests.demo_facts import STREET

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_street_clerk_sees_the_streets_coverage_problems(recorder, app_server, artifacts):
    expected = validate_coverage(STREET, level=1).problems
    assert expected, "the demo town has deliberate size outliers"
    page = recorder.page
    log_in(page, app_server, "street")
    page.goto(f"{app_server}/coverage")
    page.wait_for_function("() => !document.querySelector('.problem-summary').textContent.startsWith('正在')",
                           timeout=20_000)
    items = page.locator(".problem-list li")
    assert items.count() == len(expected)
    text = page.locator(".problem-list").inner_text()
    for problem in expected:
        assert all(code in text for code in problem.grid_codes)
    assert f"共 {len(expected)} 个问题" in page.locator(".problem-summary").inner_text()
    items.first.click()
    page.locator(".leaflet-popup-content").wait_for()
    page.screenshot(path=artifacts / "coverage.png")
    recorder.assert_stayed_local()


def test_an_area_outside_the_users_scope_is_refused_on_the_page(recorder, app_server):
    page = recorder.page
    log_in(page, app_server, "community")
    page.goto(f"{app_server}/coverage?area={STREET}")
    page.wait_for_function("() => document.querySelector('.problem-summary').textContent.startsWith('无法校验')",
                           timeout=20_000)
    assert "无权" in page.locator(".problem-summary").inner_text()
