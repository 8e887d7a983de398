"""The 多网合一 page in a real browser: grids coloured by verdict, disagreeing pieces, the auto-align preview.
Applying is tested through the API (tests/test_alignment.py): the browser's server commits, so it only reads."""
import pytest
from django.contrib.auth.models import User

from geogrid.alignment.selectors import alignment_report
from geogrid.departments.models import Department
from tests.browsing import log_in
from tests.demo_facts import MARKET, POLICE

pytestmark = [pytest.mark.django_db]


@pytest.mark.browser
def test_the_page_shows_every_verdict_and_previews_the_alignment(recorder, app_server, artifacts):
    report = alignment_report(Department.objects.get(code=POLICE))
    page = recorder.page
    log_in(page, app_server, "street")
    page.goto(f"{app_server}/alignment/{POLICE}")
    page.wait_for_selector(".alignment-grids tbody tr")
    rows = page.locator(".alignment-grids tbody tr").all_inner_texts()
    assert len(rows) == len(report.grids)
    labels = {"aligned": "一致", "nearly": "基本一致", "not": "不一致"}
    for grid, text in zip(report.grids, rows):
        assert text.startswith(grid.code) and text.endswith(labels[grid.verdict])
    assert f"{len(report.grids)} 个业务网格" in page.locator(".alignment-summary").inner_text()
    page.click(".preview-button")
    page.wait_for_selector(".alignment-preview:not([hidden])")
    assert page.locator(".preview-changes tbody tr").count() == len(report.grids)
    assert page.locator(".apply-button").is_visible()
    page.screenshot(path=artifacts / "alignment-preview.png")
    recorder.assert_stayed_local()


def test_a_department_user_sees_only_their_department_and_cannot_apply(client):
    client.force_login(User.objects.get(username="police"))
    page = client.get("/alignment/")
    assert page.status_code == 200 and page.context["department"].code == POLICE
    assert [d.code for d in page.context["departments"]] == [POLICE]
    assert client.get(f"/alignment/{MARKET}").status_code == 404
    assert client.post(f"/api/v1/alignment/{POLICE}/apply", {}, content_type="application/json").status_code == 403
