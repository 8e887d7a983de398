"""The ticket pages in a real browser against a real server, as the street lives them.

A grid worker ("community") on a 375 px phone reports a blocked fire lane (治安隐患 › 消防通道堵塞) by tapping
the map; the first submit loses its answer on the way back (the server filed the ticket), the second submit
with the same client id gets the same ticket back. The ticket is in the database on the grid under the tap.
The centre ("street") accepts and dispatches it from the ticket page; the police station ("police") tries to
send it back without a reason, is refused with the reason, and starts it.

The app server commits to the shared test database, so the test removes the ticket it made at the end.
"""
import pytest
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connections

from geogrid.core.crs import parse_point
from geogrid.core.masking import mask_name
from geogrid.events.models import Event, EventPhoto, EventTransition
from geogrid.grids.models import Grid
from geogrid.locate.selectors import grid_refs_at
from tests.browsing import PASSWORD, Recorder, log_in
from tests.demo_facts import COMMUNITY
from tests.helpers import interior_point_of

# django_db: without a marked test in the run, pytest-django sets up no test database and the app server
# would run on the development database. Reads inside the test's transaction still see what the server commits.
pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82")
TIMEOUT = 30_000


class Phone(Recorder):
    """A recording page on a 375 x 800 touch screen that shares its position (the Recorder's checks)."""

    def __init__(self, browser, at: tuple[float, float]):
        super().__init__(browser, viewport={"width": 375, "height": 800}, is_mobile=True, has_touch=True,
                         geolocation={"longitude": at[0], "latitude": at[1]}, permissions=["geolocation"])


@pytest.fixture
def remove_tickets():
    """Tickets the test made through the app server (committed, so not rolled back with the test): removed
    afterwards through a connection of their own, outside the test's transaction, with the no-delete
    triggers lifted for that one transaction (as only the demo loader otherwise does), photos included."""
    made: list[int] = []
    yield made
    if not made:
        return
    photos = list(EventPhoto.objects.filter(event__in=made).values_list("image", flat=True))
    cleanup = connections.create_connection(DEFAULT_DB_ALIAS)
    assert cleanup.settings_dict["NAME"].startswith("test_"), "not the test database"
    ignore = "{" + ",".join(t.get_pgid(m) for m in (Event, EventTransition, EventPhoto)
                            for t in m._meta.triggers if t.name == "protect_deletes") + "}"
    try:
        with cleanup.cursor() as cursor:
            cursor.execute("BEGIN")
            cursor.execute("SELECT set_config('pgtrigger.ignore', %s, true)", [ignore])
            for table, column in (("events_eventphoto", "event_id"), ("events_eventtransition", "event_id"),
                                  ("events_event", "id")):
                cursor.execute(f"DELETE FROM {table} WHERE {column} = ANY(%s)", [made])
            cursor.execute("COMMIT")
    finally:
        cleanup.close()
    for name in photos:
        default_storage.delete(name)


def screen_point(page, lon: float, lat: float) -> tuple[float, float]:
    """Page pixel of a lon/lat on the report page's map."""
    return tuple(page.evaluate("([lat, lon]) => { const m = window.geogridReportMap;"
                               " const p = m.latLngToContainerPoint([lat, lon]);"
                               " const r = m.getContainer().getBoundingClientRect();"
                               " return [r.left + p.x, r.top + p.y]; }", [lat, lon]))


def act(page, action: str, note: str = "") -> None:
    """Press a workflow button, write the note, confirm."""
    page.click(f".actions button[data-action={action}]")
    page.fill("#action-note", note)
    page.click(".action-form .confirm")


def test_report_on_a_phone_then_accept_dispatch_and_start(browser, app_server, artifacts, remove_tickets):
    grid = Grid.objects.current().filter(community__code=COMMUNITY, children__isnull=True).order_by("code").first()
    target = interior_point_of(grid.code)
    elsewhere = interior_point_of(Grid.objects.current().filter(level=1).exclude(community__code=COMMUNITY)
                                  .order_by("code").first().code)
    phone = Phone(browser, elsewhere)
    page = phone.page
    page.set_default_timeout(TIMEOUT)
    log_in(page, app_server, "community", PASSWORD)
    page.goto(f"{app_server}/report/")
    page.wait_for_selector("#report-map[data-ready='1']")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # nothing wider than the phone

    page.locator(".chip", has_text="治安隐患").tap()
    page.select_option("#category", "0701")
    page.fill("#description", "三单元楼道口消防通道被电动车堵塞")
    page.set_input_files("#photos", files=[{"name": "scene.png", "mimeType": "image/png", "buffer": PNG}])
    page.locator("#geolocate").tap()  # the phone's fix first (somewhere else) ...
    page.wait_for_function("() => document.querySelector('.located').textContent.startsWith('所在网格')")
    assert float(page.input_value("#lon")) == pytest.approx(elsewhere[0], abs=1e-6)

    page.locator("#report-map").scroll_into_view_if_needed()
    page.evaluate("([lat, lon]) => window.geogridReportMap.setView([lat, lon], 18, { animate: false })",
                  [target[1], target[0]])
    page.touchscreen.tap(*screen_point(page, *target))  # ... then a tap on the place itself
    page.wait_for_function(f"() => document.querySelector('.located').textContent.includes('{grid.code}')")
    assert page.input_value("#crs") == "wgs84"
    tapped = parse_point(float(page.input_value("#lon")), float(page.input_value("#lat")), "wgs84")
    assert grid_refs_at(tapped.point)[0][0].code == grid.code
    page.screenshot(path=artifacts / "event-report-phone.png", full_page=True)

    # The first answer is lost on its way back: the server filed the ticket, the phone saw a network error.
    def lose_answer(route):
        route.fetch()
        route.abort("connectionreset")

    page.route("**/report/", lambda route: lose_answer(route) if route.request.method == "POST" else route.continue_())
    page.click(".submit")
    page.locator(".form-error", has_text="不会重复建单").wait_for()
    page.unroute("**/report/")
    page.click(".submit")
    page.wait_for_selector(".result:not([hidden])")
    assert page.locator(".r-again").is_visible()  # the second submit got the first ticket back
    ticket = int(page.locator(".r-id").inner_text().lstrip("#"))
    remove_tickets.append(ticket)
    assert page.locator(".r-grid").inner_text().startswith(grid.code)
    assert "城关派出所" in page.locator(".r-department").inner_text()
    page.screenshot(path=artifacts / "event-report-done.png", full_page=True)

    event = Event.objects.get(pk=ticket)
    client_id = page.input_value("#client-id")
    assert Event.objects.filter(client_id=client_id).count() == 1 and event.client_id == client_id
    assert (event.grid.code, event.category.code, event.reported_by.username, event.raw_crs) == (
        grid.code, "0701", "community", "wgs84")
    assert event.photos.count() == 1 and event.status == "reported"

    page.goto(f"{app_server}/report/mine")
    assert page.locator(f".mine tr[data-id='{ticket}']").inner_text().count("已上报") == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=artifacts / "event-mine-phone.png", full_page=True)
    phone.assert_stayed_local()

    centre = Recorder(browser)
    page = centre.page
    page.set_default_timeout(TIMEOUT)
    log_in(page, app_server, "street")
    page.goto(f"{app_server}/events/?state=reported&category=07")
    page.locator(f".events tr[data-id='{ticket}'] a").click()
    page.wait_for_selector("#event-map[data-ready='1']")
    assert page.locator(".reporter").inner_text().strip() == event.reporter_name  # the centre sees it in full
    act(page, "accept")
    page.locator(".state", has_text="已受理").wait_for()
    act(page, "dispatch")
    page.locator(".state", has_text="已派遣").wait_for()
    assert list(event.transitions.values_list("action", flat=True)) == ["report", "accept", "dispatch"]
    page.screenshot(path=artifacts / "event-dispatched.png", full_page=True)
    centre.assert_stayed_local()
    centre.context.close()

    unit = Recorder(browser)
    page = unit.page
    page.set_default_timeout(TIMEOUT)
    log_in(page, app_server, "police")
    page.goto(f"{app_server}/events/{ticket}")
    assert [b.strip() for b in page.locator(".actions button").all_inner_texts()] == ["签收办理", "退回中心（非本单位职责）"]
    assert page.locator(".reporter").inner_text().strip() == mask_name(event.reporter_name)  # masked for a unit
    act(page, "send_back")  # without the reason the table asks for
    page.locator(".action-error", has_text="须填写说明").wait_for()
    page.screenshot(path=artifacts / "event-refused.png", full_page=True)
    event.refresh_from_db()
    assert event.status == "dispatched"
    act(page, "start")
    page.locator(".state", has_text="处置中").wait_for()
    event.refresh_from_db()
    assert (event.status, event.transitions.last().actor.username) == ("handling", "police")
    page.screenshot(path=artifacts / "event-handling.png", full_page=True)
    unit.assert_stayed_local()
    unit.context.close()
    phone.context.close()
