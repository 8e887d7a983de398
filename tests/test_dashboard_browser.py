"""The 考核统计 dashboard in a real browser: both charts draw, the open tickets of the demo town show as clusters
on our own basemap, nothing is fetched from outside 127.0.0.1. The server reads the committed demo town."""
import pytest

from geogrid.demo.town import STREET_CODE
from geogrid.events.workflow import OPEN
from geogrid.events.models import Event
from tests.browsing import log_in

pytestmark = [pytest.mark.django_db]

# Whether a canvas has any pixel drawn (Chart.js draws axes, grid and legend even for months without data).
CANVAS_INKED = """(id) => {
  const canvas = document.getElementById(id);
  const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let inked = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) inked++;
  return inked;
}"""


@pytest.mark.browser
def test_the_street_sees_charts_and_clustered_open_tickets(recorder, app_server, artifacts):
    open_tickets = Event.objects.filter(status__in=OPEN, merged_into__isnull=True, location__isnull=False,
                                        street__code=STREET_CODE).count()  # the street's own
    assert open_tickets > 0
    page = recorder.page
    log_in(page, app_server, "street")
    page.goto(f"{app_server}/dashboard/")
    # Count only once the fitted view is drawn: mid-animation both the old and the new clusters are in the DOM.
    page.wait_for_selector("#dashboard-map[data-view=fitted]", state="attached")
    for canvas in ("rates-chart", "volume-chart"):
        assert page.evaluate(CANVAS_INKED, canvas) > 1000, f"{canvas} is blank"
    assert page.locator(".kpi").count() == 7
    assert f"{open_tickets} 件" in page.locator(".ticket-map h2").inner_text()
    shown = page.evaluate("""() => { let n = 0;
      document.querySelectorAll('.ticket-cluster span').forEach((s) => { n += Number(s.textContent); });
      return n + document.querySelectorAll('.ticket-dot').length; }""")
    assert shown == open_tickets  # every open ticket is in a cluster or on its own at the fitted view
    page.wait_for_selector("canvas[data-tileset=basemap]")
    page.wait_for_load_state("networkidle")
    assert any("/tiles/basemap/" in url for url in recorder.requests)
    page.screenshot(path=artifacts / "dashboard.png", full_page=True)
    recorder.assert_stayed_local()


def test_the_dashboard_needs_a_login(client):
    assert client.get("/dashboard/").status_code == 302
