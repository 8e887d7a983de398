"""The 待定位工单 page in a real browser: a hotline batch imported by the command (a separate process, so the
browser's server sees its tickets committed), the centre picks an unmatched ticket, clicks the map and confirms;
the page shows the grid and unit it was routed to. Nothing is fetched from outside 127.0.0.1."""
import csv
import os
import subprocess
import sys
import time

import pytest
from django.db import connection

from geogrid.demo.town import STREET_CODE, STREET_NAME
from geogrid.hotline.readers import COLUMNS
from geogrid.events.models import Event
from geogrid.grids.models import Grid
from tests.browsing import log_in
from tests.conftest import ROOT
from tests.helpers import interior_point_of

pytestmark = [pytest.mark.django_db]


def import_committed(path) -> str:
    """Run `import_hotline` against the test database in its own process (it commits); returns its output."""
    env = dict(os.environ, GEOGRID_DB_NAME=connection.settings_dict["NAME"])
    if "DATABASE_URL" in env:  # it wins over GEOGRID_DB_NAME: point it at the test database too
        env["DATABASE_URL"] = env["DATABASE_URL"].rsplit("/", 1)[0] + "/" + connection.settings_dict["NAME"]
    done = subprocess.run([sys.executable, "manage.py", "import_hotline", str(path), "--street", STREET_CODE,
                           "--verbosity", "0"],  # the demo has two streets: the first one's queue
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.browser
def test_the_centre_places_a_queued_hotline_ticket_on_the_map(recorder, app_server, artifacts, tmp_path):
    batch = f"B{time.time_ns()}"  # ids unique to this run: the server's database keeps what it commits
    path = tmp_path / "hotline.csv"
    with open(path, "w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow([c.name for c in COLUMNS])
        writer.writerow([f"{batch}-1", "2026-03-02 10:00", "0701", "楼道堆放杂物堵塞消防通道", f"{STREET_NAME}幸福路999号", "张先生", "13600003333"])
        writer.writerow([f"{batch}-2", "2026-03-02 10:05", "0101", "垃圾未清运", "县医院后门那条巷子", "", ""])
    assert "待定位 unmatched 2" in import_committed(path)
    ticket, vague = (Event.objects.get(client_id=f"12345:{batch}-{n}") for n in (1, 2))
    grid = Grid.objects.current().filter(level=1, children__isnull=True).order_by("code").first()
    lon, lat = interior_point_of(grid.code)

    page = recorder.page
    log_in(page, app_server, "street")
    page.goto(f"{app_server}/events/unplaced")
    page.wait_for_selector("#map[data-ready='1']")
    item = page.locator(f".unplaced-list button[data-id='{ticket.pk}']")
    assert "幸福路999号" in item.inner_text()
    assert "县医院后门那条巷子" in page.locator(f".unplaced-list button[data-id='{vague.pk}']").inner_text()
    item.click()
    assert item.get_attribute("aria-pressed") == "true"
    assert page.locator(".place-button").is_disabled()
    x, y = page.evaluate("""([lat, lon]) => {
        const map = window.geogridUnplacedMap;
        map.setView([lat, lon], 17, { animate: false });
        const p = map.latLngToContainerPoint([lat, lon]);
        return [p.x, p.y];
    }""", [lat, lon])
    page.wait_for_timeout(500)  # tiles of the new view
    page.locator("#map").click(position={"x": x, "y": y})
    page.click(".place-button")
    page.wait_for_selector(".place-result:has-text('已定位')")
    ticket.refresh_from_db()
    assert ticket.location is not None and ticket.grid is not None
    result = page.locator(".place-result").inner_text()
    assert ticket.grid.code in result and ticket.department.name in result
    assert ticket.transitions.filter(action="place").get().actor.username == "street"
    assert "已定位" in item.inner_text() and item.is_disabled()
    page.screenshot(path=artifacts / "unplaced-placed.png")
    recorder.assert_stayed_local()
