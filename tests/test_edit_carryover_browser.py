"""The approval page (调整审批) shows what each grid of a change request gains and loses before the street
decides: a merge lists the absorbed grid's people moving to the merged grid, the households before and after,
the child grids that move, and the rule violations (two 网格长 on one grid). The request is rejected at the end,
so the shared test database keeps the demo town's grids."""
import pytest

from geogrid.adjustments.models import ChangeRequest
from geogrid.grids.models import Grid
from geogrid.staff.models import StaffMember
from tests.browsing import Recorder, log_in
from tests.demo_facts import COMMUNITY

KEEP, ABSORBED = f"{COMMUNITY}003", f"{COMMUNITY}002"
TIMEOUT = 30_000

SUBMIT_MERGE = """async ([api, keep, absorbed]) => {
  const token = document.querySelector("input[name=csrfmiddlewaretoken]").value;
  const post = async (url, body) => (await fetch(url, { method: "POST", body: JSON.stringify(body),
    headers: { "Content-Type": "application/json", "X-CSRFToken": token } })).json();
  const loaded = await (await fetch(`${api}/draft`)).json();
  const merged = await post(`${api}/operations`, { draft: loaded.draft,
    operation: { op: "merge", grids: [keep, absorbed] } });
  return (await post(`${api}/requests`, { draft: merged.draft, base: loaded.base, reason: "户数偏少，合并" })).id;
}"""


@pytest.mark.django_db
def test_the_approval_page_shows_each_grids_gains_and_losses(recorder, browser, app_server, artifacts):
    kept = set(Grid.objects.current().get(code=KEEP).staff.values_list("pk", flat=True))
    moving = StaffMember.objects.filter(grids=Grid.objects.current().get(code=ABSORBED)).exclude(pk__in=kept)
    names = sorted(moving.values_list("name", flat=True))
    children = Grid.objects.current().filter(parent__code=ABSORBED, parent__generation_high__isnull=True)
    page = recorder.page
    log_in(page, app_server, "community")
    page.goto(f"{app_server}/editor/{COMMUNITY}")
    page.wait_for_function("() => document.body.dataset.ready === '1'", timeout=TIMEOUT)
    request_id = page.evaluate(SUBMIT_MERGE, [f"{app_server}/api/v1/adjustments/{COMMUNITY}", KEEP, ABSORBED])
    assert isinstance(request_id, int)

    street = Recorder(browser)
    try:
        log_in(street.page, app_server, "street")
        street.page.goto(f"{app_server}/adjustments/?request={request_id}")
        street.page.wait_for_function("() => document.querySelectorAll('.request-detail tr.effect').length === 2",
                                      timeout=TIMEOUT)
        merged = street.page.locator(f'.request-detail tr.effect[data-code="{KEEP}"]')
        absorbed = street.page.locator(f'.request-detail tr.effect[data-code="{ABSORBED}"]')
        gained = merged.locator(".gained").inner_text()
        assert all(name in gained for name in names) and "来自 002" in gained
        assert "撤销" in absorbed.inner_text() and "转至 003" in absorbed.locator(".lost").inner_text()
        assert "→ 0" in absorbed.locator(".households").inner_text()
        assert all(c.code in merged.inner_text() for c in children)  # child grids moving in
        assert "2 名网格长" in merged.locator(".violations").inner_text()
        street.page.screenshot(path=artifacts / "adjustments-gains-losses.png")

        street.page.fill("#decision-note", "测试结束，驳回")
        street.page.click(".request-detail .reject")
        street.page.locator(".decision-result .message.success").wait_for(timeout=TIMEOUT)
    finally:
        street.context.close()
    assert ChangeRequest.objects.get(pk=request_id).status == ChangeRequest.Status.REJECTED
    assert street.errors == [] and recorder.errors == []
    recorder.assert_stayed_local()
