"""The ticket pages through Django's test client: the report form files routed tickets once per client id,
我的工单 shows one's own, the list is scoped and masked and filters, the ticket page offers exactly the
actions the user may take, photos are served by their content to those who may see the ticket."""
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from geogrid.core.chinacrs import wgs84_to_gcj02
from geogrid.core.crs import parse_point
from geogrid.demo.town import STREET_CODE
from geogrid.events import services
from geogrid.events.models import Event, EventCategory
from geogrid.events.selectors import EventFilters, category_picker, filter_events, roles_of
from geogrid.events.workflow import actions_for
from geogrid.grids.models import Grid
from tests.demo_facts import COMMUNITY
from tests.helpers import image_bytes, interior_point_of

pytestmark = pytest.mark.django_db

PNG = image_bytes("PNG")
POLICE = f"{STREET_CODE[:9]}-PCS"


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Uploaded photos go to a temporary folder: the database rolls back after each test, files would stay."""
    settings.MEDIA_ROOT = tmp_path


def client_for(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def grid_in(community: str = COMMUNITY) -> Grid:
    return Grid.objects.current().filter(level=1, community__code=community).order_by("code").first()


def form(grid: Grid, **fields) -> dict:
    lon, lat = interior_point_of(grid.code)
    return {"category": "0701", "description": "消防通道被杂物堵塞", "lon": lon, "lat": lat, "crs": "wgs84", **fields}


def ticket(code: str = "0701", grid: Grid | None = None, **extra) -> Event:
    lon, lat = interior_point_of((grid or grid_in()).code)
    new = services.NewReport(category=EventCategory.objects.get(code=code), description="测试工单",
                             point=parse_point(lon, lat), reporter_name="王小明", reporter_phone="13812345678", **extra)
    return services.report(new=new, user=User.objects.get(username="community"))[0]


# ---- 上报事件 ---------------------------------------------------------------------------------------------------

def test_the_report_page_needs_a_login_and_offers_the_two_level_category_tree():
    assert Client().get("/report/").status_code == 302
    page = client_for("community").get("/report/")
    assert page.status_code == 200
    groups = {top.code: [leaf.code for leaf in leaves] for top, leaves in page.context["groups"]}
    assert groups["07"] == ["0701", "0702", "0703"] and "0701" not in groups
    html = page.content.decode()
    assert 'capture="environment"' in html and 'accept="image/*"' in html and 'value="gcj02"' in html


def test_a_report_in_gcj02_is_routed_to_the_grid_and_a_retry_returns_the_same_ticket():
    grid = grid_in()
    lon, lat = interior_point_of(grid.code)
    x, y = wgs84_to_gcj02(lon, lat)
    client = client_for("community")
    body = form(grid, lon=x, lat=y, crs="gcj02", client_id="page-retry-1", photos=SimpleUploadedFile("a.png", PNG))
    first = client.post("/report/", body)
    assert first.status_code == 201, first.content
    answer = first.json()
    event = Event.objects.get(pk=answer["id"])
    assert (event.grid, event.raw_crs, event.reported_by.username, event.photos.count()) == (grid, "gcj02", "community", 1)
    assert answer["grid"].startswith(grid.code) and answer["department"] == "城关派出所" and answer["created"] is True
    assert answer["due_at"] and "归口办理" in answer["routing_note"]
    again = client.post("/report/", form(grid, lon=x, lat=y, crs="gcj02", client_id="page-retry-1"))
    assert again.status_code == 200 and again.json()["id"] == event.pk and again.json()["created"] is False
    assert Event.objects.filter(client_id="page-retry-1").count() == 1


def test_a_ticket_settled_on_the_spot_is_closed_at_level_one_and_needs_its_note():
    client = client_for("community")
    refused = client.post("/report/", form(grid_in(), settled="1"))
    assert refused.status_code == 400 and "处置情况" in refused.json()["error"]
    done = client.post("/report/", form(grid_in(), settled="1", settled_note="已清理杂物，通道恢复"))
    event = Event.objects.get(pk=done.json()["id"])
    assert (event.status, event.closure, event.level) == ("closed", "on_spot", 1)


@pytest.mark.parametrize("fields, reason", [
    ({"category": "07"}, "有效的事件分类"),  # a top class is not a leaf
    ({"description": ""}, "描述"),
    ({"lon": "", "lat": ""}, "经度"),
    ({"lon": 26.9, "lat": 108.7}, "写反"),  # the coordinates are swapped
    ({"photos": SimpleUploadedFile("x.png", b"<svg onload=alert(1)>")}, "不是 JPEG、PNG 或 WebP"),
])
def test_bad_reports_are_refused_with_the_reason_and_file_nothing(fields, reason):
    before = Event.objects.count()
    response = client_for("community").post("/report/", form(grid_in(), **fields))
    assert response.status_code == 400 and reason in response.json()["error"], response.content
    assert Event.objects.count() == before


def test_my_tickets_are_the_ones_i_reported_with_overdue_marked():
    mine = ticket()
    late = ticket("0101")
    Event.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(days=1))
    services.report(new=services.NewReport(category=EventCategory.objects.get(code="0101"), description="别人的"),
                    user=User.objects.get(username="street"))
    page = client_for("community").get("/report/mine")
    shown = {e.pk: e.overdue for e in page.context["page"]}
    assert shown == {late.pk: True, mine.pk: False}
    assert page.content.decode().count("已超期") == 1


# ---- 工单列表 -----------------------------------------------------------------------------------------------------

def test_the_list_is_scoped_and_reporters_are_masked_but_for_the_centre():
    police_ticket = ticket("0701")
    rubbish = ticket("0101")
    police = client_for("police").get("/events/", {"state": "reported"})
    ids = {e.pk for e in police.context["page"].paginator.object_list}
    assert police_ticket.pk in ids and rubbish.pk not in ids
    assert {e.department.code for e in police.context["page"].paginator.object_list} == {POLICE}
    assert [code for code, _ in police.context["departments"]] == [POLICE]
    police_html = police.content.decode()
    assert "138****5678" in police_html and "13812345678" not in police_html and "王**" in police_html
    street = client_for("street").get("/events/", {"state": "reported", "category": "0701"})
    assert "13812345678" in street.content.decode() and "王小明" in street.content.decode()
    worker = client_for("community").get("/events/", {"category": "0701"})
    assert "13812345678" not in worker.content.decode()  # a grid worker is not the centre
    outsider = User.objects.create_user("nobody")
    assert client_for(outsider.username).get("/events/").context["page"].paginator.count == 0


def test_the_list_filters_by_state_category_class_overdue_and_department():
    event = ticket("0702")
    street = User.objects.get(username="street")
    assert Client().get("/events/").status_code == 302
    client = client_for("street")

    def ids(**params) -> set[int]:
        return {e.pk for e in client.get("/events/", params).context["page"].paginator.object_list}

    assert event.pk in ids(state="reported") and event.pk not in ids(state="dispatched")
    assert event.pk in ids(state="open", category="07") and event.pk in ids(category="0702")
    assert event.pk not in ids(category="0701") and event.pk in ids(department=POLICE)
    assert event.pk not in ids(overdue="1")
    Event.objects.filter(pk=event.pk).update(due_at=timezone.now() - timedelta(hours=1))
    overdue = client.get("/events/", {"overdue": "1", "category": "0702"})
    shown = {e.pk: e.overdue for e in overdue.context["page"].paginator.object_list}
    assert shown[event.pk] is True and all(shown.values())
    assert f'<tr class="overdue" data-id="{event.pk}">' in overdue.content.decode()
    closed = services.transition(event_id=event.pk, action="return", user=street, note="重复上报")
    assert closed.pk not in ids(overdue="1")  # a returned ticket is no longer late
    every = filter_events(Event.objects.all(), EventFilters(overdue=True))
    assert all(e.overdue for e in every[:50])


def test_the_list_is_paginated_and_keeps_its_filters_in_the_page_links():
    page = client_for("street").get("/events/", {"state": "closed"})
    assert page.context["page"].paginator.num_pages > 1
    assert "?state=closed&amp;page=2" in page.content.decode()
    second = client_for("street").get("/events/", {"state": "closed", "page": 2})
    assert second.context["page"].number == 2


# ---- one ticket ---------------------------------------------------------------------------------------------------

def test_the_ticket_page_offers_exactly_the_users_actions():
    event = ticket("0701")
    street = client_for("street").get(f"/events/{event.pk}")
    offered = [name for name, _ in street.context["actions"]]
    street_user = User.objects.get(username="street")
    assert offered == [a for a in actions_for(event, roles_of(street_user, event)) if a != "merge"]
    assert {"accept", "return", "recategorise", "escalate"} <= set(offered) and "start" not in offered
    assert street.context["may_merge"] is True
    assert [name for name, _ in client_for("police").get(f"/events/{event.pk}").context["actions"]] == []
    services.transition(event_id=event.pk, action="accept", user=User.objects.get(username="street"))
    services.transition(event_id=event.pk, action="dispatch", user=User.objects.get(username="street"))
    police = client_for("police").get(f"/events/{event.pk}")
    assert [name for name, _ in police.context["actions"]] == ["start", "send_back"]
    assert 'data-needs-note="1"' in police.content.decode()
    assert [label for _, label, _ in police.context["transitions"]] == ["上报", "受理", "派遣"]
    rubbish = ticket("0101")
    assert client_for("police").get(f"/events/{rubbish.pk}").status_code == 404


def test_nearby_duplicates_are_listed_with_a_merge_button_for_the_centre_only():
    first = ticket("0703")
    second = ticket("0703")
    street = client_for("street").get(f"/events/{second.pk}")
    assert first.pk in [d.pk for d in street.context["duplicates"]]
    assert f'data-into="{first.pk}"' in street.content.decode()
    worker = client_for("community").get(f"/events/{second.pk}")
    assert first.pk in [d.pk for d in worker.context["duplicates"]] and "merge-button" not in worker.content.decode()


def test_photos_are_served_by_their_content_to_those_who_see_the_ticket():
    event = ticket("0101", photos=[SimpleUploadedFile("evil.svg", PNG + b"<svg onload=alert(1)>")])
    photo = event.photos.get()
    url = f"/events/{event.pk}/photos/{photo.pk}"
    response = client_for("street").get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content).startswith(PNG)
    assert client_for("police").get(url).status_code == 404  # sanitation's ticket, not theirs
    assert Client().get(url).status_code == 302


def test_an_inactive_class_is_neither_offered_nor_accepted():
    EventCategory.objects.filter(code="13").update(active=False)
    assert "13" not in {top.code for top, _ in category_picker()}
    assert client_for("community").post("/report/", form(grid_in(), category="1301")).status_code == 400


def test_a_demo_ticket_whose_steps_no_person_took_shows_them_as_the_systems():
    """Demo and hotline tickets have steps without an actor: the page names them 系统 (it had failed with a 500)."""
    event = Event.objects.filter(transitions__actor__isnull=True, status="closed").order_by("pk").first()
    page = client_for("street").get(f"/events/{event.pk}")
    assert page.status_code == 200
    assert page.content.decode().count("系统") >= event.transitions.count()
