"""The 多网合一 page in a real browser: grids coloured by verdict, disagreeing pieces, the auto-align preview.
Applying is tested through the API (tests/test_alignment.py): the browser's server commits, so it only reads."""
import pytest
from django.contrib.auth.models import User

from geogrid.alignment.selectors import alignment_report
from geogrid.alignment.services import preview_alignment
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
    assert page.locator(".alignment-grids thead th").all_inner_texts()[1] == "重合度"
    first = report.grids[0]
    shown = page.locator(".alignment-grids tbody tr td").nth(1).inner_text()  # 重合度 as a percentage
    assert shown.endswith("%") and abs(float(shown[:-1]) - 100 * first.iou) <= 0.051
    assert page.locator(".leaflet-tooltip.business-label").count() == len(report.grids)  # a label per grid
    assert "不一致图斑" in page.locator(".leaflet-control-container .legend").inner_text()
    page.click(".preview-button")
    page.wait_for_selector(".alignment-preview:not([hidden])")
    preview = preview_alignment(department=Department.objects.get(code=POLICE))
    assert page.locator(".preview-changes tbody tr").count() == len(report.grids)
    members = page.locator(".preview-changes tbody tr td").nth(2).inner_text()
    assert all(code in members for code in preview.changes[0].base_grids)  # which base grids each one takes
    # 需人工确定: one choice per low-share base grid, preset to where the majority rule would put it.
    undecided = sorted({u["base_code"] for u in preview.undecided})
    choices = page.locator(".preview-undecided select.decision")
    assert sorted(choices.evaluate_all("(all) => all.map((s) => s.name)")) == undecided
    for base in undecided:
        assert page.locator(f'.preview-undecided select[name="{base}"]').input_value() == \
            preview.assignment.get(base, "")
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


def test_who_may_apply_is_named_to_those_who_may_not(client):
    client.force_login(User.objects.get(username="police"))
    page = client.get(f"/alignment/{POLICE}").content.decode()
    assert 'class="apply-button"' not in page and "街道网格管理员" in page.split('class="hint who-may-apply"')[1]
    client.force_login(User.objects.get(username="street"))
    page = client.get(f"/alignment/{POLICE}").content.decode()
    assert 'class="apply-button"' in page and "who-may-apply" not in page


def test_after_an_apply_the_page_says_which_version_it_shows(client):
    client.force_login(User.objects.get(username="street"))
    assert "生成第 12 版" in client.get(f"/alignment/{POLICE}?applied=12").content.decode()
    assert "applied-message" not in client.get(f"/alignment/{POLICE}?applied=%3Cb%3E").content.decode()
