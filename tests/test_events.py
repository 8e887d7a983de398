"""Tickets on the demo town: routing to grid and department, the workflow with its refusals, deadlines,
idempotent retries, duplicate suggestions, Open311 intake and scoping, bulk re-routing."""
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, transaction
from PIL import Image
from rest_framework.exceptions import ValidationError
from rest_framework.test import APIClient

from geogrid.accounts.models import UserScope
from geogrid.areas.models import Area
from geogrid.core.api import filtered
from geogrid.core.chinacrs import wgs84_to_bd09, wgs84_to_gcj02
from geogrid.core.crs import parse_point
from geogrid.demo.town import STREET2_CODE, STREET_CODE
from geogrid.departments.models import Department
from geogrid.events import services
from geogrid.events.defaults import install_street_defaults
from geogrid.events.filters import Open311RequestFilter
from geogrid.events.models import Event, EventCategory, EventTransition, Responsibility
from geogrid.events.selectors import nearby_open_duplicates, responsibility_for, units_serving
from geogrid.events.workflow import TransitionError
from geogrid.grids.models import Grid
from tests.helpers import image_bytes, interior_point_of, one

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
PNG = image_bytes("PNG")


def user(name: str) -> User:
    return User.objects.get(username=name)


def leaf_grid(level: int = 1) -> Grid:
    return Grid.objects.current().filter(level=level, children__isnull=True).order_by("code").first()


def file_report(code: str = "0101", grid: Grid | None = None, crs: str = "cgcs2000", **extra) -> Event:
    grid = grid or leaf_grid()
    lon, lat = interior_point_of(grid.code)
    if crs == "gcj02":
        lon, lat = wgs84_to_gcj02(lon, lat)
    elif crs == "bd09":
        lon, lat = wgs84_to_bd09(lon, lat)
    new = services.NewReport(category=EventCategory.objects.get(code=code), description="测试工单",
                             point=parse_point(lon, lat, crs), **extra)
    event, _ = services.report(new=new, user=user("community"))
    return event


def step(event: Event, action: str, username: str, note: str = "", **params) -> Event:
    return services.transition(event_id=event.pk, action=action, user=user(username), note=note,
                               params=services.StepParams(**params))


@contextmanager
def refused(code: str) -> Iterator[None]:
    """The block raises a TransitionError with this code."""
    with pytest.raises(TransitionError) as info:
        yield
    assert info.value.code == code, info.value.message


# ---- defaults and routing ----------------------------------------------------------------------------------

def test_defaults_are_installed_once_and_route_by_the_seed_table():
    street = Area.objects.get(code=STREET_CODE)
    assert install_street_defaults(street=street) == {"categories": 0, "departments": 0, "responsibilities": 0}
    straw = EventCategory.objects.get(code="0802")  # 秸秆禁烧归口农委: its own row beats 环境保护's
    assert responsibility_for(straw, street).department.name == "农业农村办公室"
    assert responsibility_for(EventCategory.objects.get(code="0801"), street).department.name == "生态环境保护站"
    assert responsibility_for(EventCategory.objects.get(code="0701"), street).department.code == f"{STREET_CODE[:9]}-PCS"
    assert not Responsibility.objects.filter(area__isnull=True).exists()  # every street has its own rows


def test_a_ticket_is_dispatched_only_to_a_unit_serving_its_street():
    event = file_report("0701")
    own, other = f"{STREET_CODE[:9]}-PCS", f"{STREET2_CODE[:9]}-PCS"
    serving = set(units_serving(event.street).values_list("code", flat=True))
    assert own in serving and other not in serving
    step(event, "accept", "street")
    with refused("unit_not_serving"):
        step(event, "dispatch", "admin", department=other)
    assert step(event, "dispatch", "street", department=own).department.code == own


def test_an_area_override_beats_the_default_inside_the_area_only():
    grid = leaf_grid()
    community = grid.community
    other = Grid.objects.current().filter(level=1).exclude(community=community).order_by("code").first()
    market = Department.objects.get(code=f"{STREET_CODE[:9]}-SJS")
    Responsibility.objects.create(category=EventCategory.objects.get(code="0102"), area=community, department=market)
    assert file_report("0102", grid).department == market
    assert file_report("0102", other).department.code == f"{STREET_CODE[:9]}-CGZF"


@pytest.mark.parametrize("crs", ["cgcs2000", "gcj02", "bd09"])
def test_a_ticket_is_routed_to_the_finest_grid_its_community_street_and_unit(crs):
    level3 = leaf_grid(3)
    event = file_report("0101", level3, crs=crs)
    assert event.grid == level3
    assert event.grid_ids == [level3.pk, level3.parent.pk, level3.parent.parent.pk]
    assert event.community == level3.community and event.street.code == STREET_CODE
    assert event.department.name == "环卫所"
    assert event.raw_crs == crs and event.status == "reported"
    assert event.transitions.get().action == "report"


def test_a_point_outside_every_grid_goes_to_the_street_centre_queue():
    lon, lat = one("SELECT ST_XMax(geom) + 0.03, (ST_YMin(geom) + ST_YMax(geom)) / 2 FROM areas_area "
                   "WHERE code = %s", [STREET_CODE])
    event, _ = services.report(new=services.NewReport(category=EventCategory.objects.get(code="0101"),
                                                      description="界外", point=parse_point(lon, lat)))
    assert event.grid is None and event.grid_ids == []
    assert "街道中心" in event.routing_note


# ---- workflow ------------------------------------------------------------------------------------------------

def test_the_whole_path_from_report_to_closure_with_every_step_recorded():
    event = file_report("0701")  # public order → the police station, whose demo user is "police"
    step(event, "accept", "street")
    step(event, "dispatch", "street")
    step(event, "start", "police")
    step(event, "feed_back", "police", "已清理")
    step(event, "verify", "street")
    event = step(event, "close", "community", satisfied=True)
    assert (event.status, event.closure, event.satisfied, event.level) == ("closed", "resolved", True, 2)
    assert event.due_at is None and event.closed_at is not None
    assert list(event.transitions.values_list("action", flat=True)) == [
        "report", "accept", "dispatch", "start", "feed_back", "verify", "close"]
    assert [t.actor.username for t in event.transitions.all()[1:]] == [
        "street", "street", "police", "police", "street", "community"]


@pytest.mark.parametrize("action, username, note, code", [
    ("close", "street", "", "action_not_allowed"),
    ("accept", "police", "", "not_your_role"),
    ("accept", "community", "", "not_your_role"),
    ("return", "street", "", "note_required"),
    ("coordinate", "street", "x", "action_not_allowed"),
    ("fly", "street", "", "unknown_action"),
])
def test_illegal_steps_are_refused_with_a_reason_and_change_nothing(action, username, note, code):
    event = file_report("0701")
    with refused(code):
        step(event, action, username, note)
    event.refresh_from_db()
    assert event.status == "reported" and event.transitions.count() == 1


def test_a_unit_sends_back_a_ticket_that_is_not_its_own_and_the_centre_redispatches():
    event = file_report("0701")
    step(event, "accept", "street")
    step(event, "dispatch", "street")
    with refused("note_required"):
        step(event, "send_back", "police")
    event = step(event, "send_back", "police", "属城管职责")
    assert event.status == "accepted"
    event = step(event, "dispatch", "street", department=f"{STREET_CODE[:9]}-CGZF")
    assert event.department.code == f"{STREET_CODE[:9]}-CGZF"
    with refused("not_your_role"):
        step(event, "start", "police")  # no longer theirs


def test_an_extension_moves_the_deadline_only_when_granted():
    event = file_report("0701")
    step(event, "accept", "street")
    step(event, "dispatch", "street")
    event = step(event, "start", "police")
    due = event.due_at
    with refused("no_extension_request"):
        step(event, "grant_extension", "street")
    step(event, "request_extension", "police", "需协调产权单位", days=3)
    assert Event.objects.get(pk=event.pk).due_at == due
    event = step(event, "grant_extension", "street")
    assert event.due_at > due
    assert event.transitions.filter(action="grant_extension").get().data["days"] == 3


def test_verification_can_fail_and_the_ticket_goes_back_to_the_unit():
    event = file_report("0701")
    for action, username, note in [("accept", "street", ""), ("dispatch", "street", ""), ("start", "police", ""),
                                   ("feed_back", "police", "已处理"), ("verify", "street", "")]:
        step(event, action, username, note)
    event = step(event, "redispatch", "community", "现场仍有车辆堵塞")
    assert event.status == "dispatched" and event.due_at is not None


def test_disputes_close_when_they_enter_coordinated_handling_other_tickets_do_not():
    dispute = file_report("0601")
    step(dispute, "accept", "street")
    dispute = step(dispute, "coordinate", "street", "已进入联调")
    assert (dispute.status, dispute.closure) == ("closed", "coordination")
    rubbish = file_report("0101")
    step(rubbish, "accept", "street")
    with refused("closes_only_when_resolved"):
        step(rubbish, "coordinate", "street", "x")


def test_escalation_goes_up_to_the_district_and_no_further():
    event = file_report("0502")
    step(event, "accept", "street")
    event = step(event, "escalate", "street", "超出街道权限")
    assert event.level == 3
    with refused("already_at_district"):
        step(event, "escalate", "street", "再上报")


def test_a_grid_worker_settles_a_ticket_on_the_spot_and_it_is_still_recorded():
    event = file_report("0102", settled_note="已劝离摊贩")
    assert (event.status, event.closure, event.level) == ("closed", "on_spot", 1)
    assert list(event.transitions.values_list("action", flat=True)) == ["report", "settle"]


def test_tickets_and_their_steps_are_never_deleted():
    event = file_report()
    with pytest.raises(DatabaseError), transaction.atomic():
        Event.objects.filter(pk=event.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        EventTransition.objects.filter(event=event).update(note="改写")
    assert Event.objects.filter(pk=event.pk).exists()


# ---- deadlines -----------------------------------------------------------------------------------------------

def test_the_handling_deadline_skips_the_spring_festival_and_counts_the_make_up_saturday():
    event = file_report("0701")
    step(event, "accept", "street")
    friday = datetime(2026, 2, 13, 10, 0, tzinfo=SHANGHAI)  # 14 Feb is a make-up workday; 15-23 Feb off
    event = services.transition(event_id=event.pk, action="dispatch", user=user("street"), at=friday)
    assert event.due_at == datetime(2026, 2, 28, 0, 0, tzinfo=SHANGHAI)  # end of 14, 24, 25, 26, 27 Feb
    assert event.due_estimated is False


def test_a_deadline_in_a_year_without_holiday_data_is_estimated_not_refused():
    event = file_report("0701")
    step(event, "accept", "street")
    event = services.transition(event_id=event.pk, action="dispatch", user=user("street"),
                                at=datetime(2031, 3, 3, 9, tzinfo=SHANGHAI))
    assert event.due_estimated is True
    assert event.due_at == datetime(2031, 3, 11, 0, 0, tzinfo=SHANGHAI)  # Mon 3 Mar + 5 weekdays: end of Mon 10


# ---- idempotency and duplicates ------------------------------------------------------------------------------

def test_a_retry_with_the_same_client_id_returns_the_first_ticket():
    first = file_report(client_id="phone-1-0001")
    again = file_report(client_id="phone-1-0001")
    assert again.pk == first.pk
    assert Event.objects.filter(client_id="phone-1-0001").count() == 1


def test_open_tickets_of_the_same_category_within_50_m_are_suggested_as_duplicates():
    event = file_report("0103")
    near, far, other = (one("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Project(location::geography, %s, radians(90))"
                            "::geometry p FROM events_event WHERE id = %s) s", [metres, event.pk])
                        for metres in (30, 80, 20))
    category = EventCategory.objects.get(code="0103")
    made = [services.report(new=services.NewReport(category=c, description="重复", point=parse_point(*xy)))[0]
            for c, xy in ((category, near), (category, far), (EventCategory.objects.get(code="0101"), other))]
    suggested = list(nearby_open_duplicates(event.location, category, exclude=event.pk))
    assert [e.pk for e in suggested] == [made[0].pk]
    assert suggested[0].distance.m == pytest.approx(30, abs=0.5)
    merged = step(made[0], "merge", "street", into=event.pk)
    assert merged.merged_into_id == event.pk and not merged.is_open


# ---- Open311 -------------------------------------------------------------------------------------------------

def open311_post(client: APIClient, **fields):
    grid = leaf_grid()
    lon, lat = interior_point_of(grid.code)
    x, y = wgs84_to_gcj02(lon, lat)
    body = {"service_code": "0101", "lat": y, "long": x, "coordinate_system": "gcj02", "description": "垃圾未清运",
            "phone": "13812345678", "first_name": "明", "last_name": "王", **fields}
    return grid, client.post("/open311/v2/requests.json", body, format="multipart")


def test_open311_lists_the_leaf_categories_as_services():
    services_json = APIClient().get("/open311/v2/services.json").json()
    codes = {s["service_code"]: s for s in services_json}
    assert codes["0802"]["service_name"] == "秸秆焚烧" and codes["0802"]["group"] == "环境保护"
    assert "08" not in codes


def test_open311_public_report_is_routed_and_a_retry_is_not_a_second_ticket():
    client = APIClient()
    grid, response = open311_post(client, client_id="open311-retry-1", media=SimpleUploadedFile("a.png", PNG))
    assert response.status_code == 201, response.content
    event = Event.objects.get(pk=response.json()[0]["service_request_id"])
    assert (event.grid, event.source, event.raw_crs) == (grid, "public", "gcj02")
    assert event.photos.count() == 1
    _, again = open311_post(client, client_id="open311-retry-1")
    assert again.status_code == 200 and again.json()[0]["service_request_id"] == str(event.pk)


@pytest.mark.parametrize("fields, code, field", [
    ({"service_code": "9999"}, "unknown_service_code", "service_code"),
    ({"description": ""}, "blank", "description"),
    ({"coordinate_system": "mars"}, "invalid_coordinates", "coordinate_system"),
    ({"media": SimpleUploadedFile("x.png", b"<svg onload=alert(1)>")}, "not_an_image", "media"),
])
def test_open311_bad_reports_are_refused_and_file_nothing(fields, code, field):
    before = Event.objects.count()
    _, response = open311_post(APIClient(), **fields)
    assert response.status_code == 400
    assert response.json() == [{"code": 400, "description": response.json()[0]["description"], "error": code,
                                "field": field}]
    assert Event.objects.count() == before


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_a_real_photo_passes_the_check_and_is_read_from_its_start(fmt):
    photo = SimpleUploadedFile(f"a.{fmt.lower()}", image_bytes(fmt, (64, 48)))
    services.check_photos([photo])
    assert photo.tell() == 0


def refusal(content: bytes) -> str:
    with pytest.raises(services.ReportError) as refused:
        services.check_photos([SimpleUploadedFile("x.jpg", content)])
    assert refused.value.field == "media" and "x.jpg" in refused.value.message
    return refused.value.code


def test_photos_are_decoded_in_full_not_sniffed():
    jpeg = image_bytes("JPEG", (64, 48))
    assert refusal(b"\xff\xd8\xff\xe0" + b"<html><script>alert(1)</script></html>") == "not_an_image"
    assert refusal(jpeg[:20] + b"<html><script>alert(1)</script></html>" * 20) == "not_an_image"
    assert refusal(jpeg[: len(jpeg) // 2]) == "not_an_image"  # cut off: verify() alone would let it through
    png = image_bytes("PNG", (64, 48))
    assert refusal(png[:-30]) == "not_an_image"
    assert refusal(image_bytes("GIF")) == "not_an_image"  # a real picture, not a type we accept
    assert refusal(image_bytes("BMP")) == "not_an_image"


def test_a_decompression_bomb_is_refused(monkeypatch):
    """A small file of a huge picture: refused above MAX_IMAGE_PIXELS (Pillow warns there and raises at twice
    that; both are one refusal)."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 64 * 48 - 1)
    assert refusal(image_bytes("PNG", (64, 48))) == "photo_too_many_pixels"
    assert refusal(image_bytes("JPEG", (640, 480))) == "photo_too_many_pixels"
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 64 * 48)
    services.check_photos([SimpleUploadedFile("a.png", image_bytes("PNG", (64, 48)))])


def test_open311_refuses_a_polyglot_and_a_bomb_with_400(monkeypatch):
    _, polyglot = open311_post(APIClient(), media=SimpleUploadedFile("x.jpg", b"\xff\xd8\xff\xe0<html></html>"))
    assert polyglot.status_code == 400 and polyglot.json()[0]["error"] == "not_an_image"
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)
    _, bomb = open311_post(APIClient(), media=SimpleUploadedFile("x.png", image_bytes("PNG", (64, 48))))
    assert bomb.status_code == 400 and bomb.json() == [{"code": 400, "description": bomb.json()[0]["description"],
                                                        "error": "photo_too_many_pixels", "field": "media"}]
    assert "像素过多" in bomb.json()[0]["description"]


def test_open311_lists_are_for_signed_in_users_and_scoped_with_reporters_masked():
    _, response = open311_post(APIClient())
    ticket = response.json()[0]["service_request_id"]
    assert APIClient().get("/open311/v2/requests.json").status_code in (401, 403)
    street, sanitation_user = APIClient(), User.objects.create(username="sanitation")
    UserScope.objects.create(user=sanitation_user, department=Department.objects.get(code=f"{STREET_CODE[:9]}-HWS"))
    police = APIClient()
    street.force_authenticate(user("street"))
    police.force_authenticate(user("police"))
    sanitation = APIClient()
    sanitation.force_authenticate(sanitation_user)
    assert street.get(f"/open311/v2/requests/{ticket}.json").json()[0]["geogrid"]["reporter_phone"] == "13812345678"
    seen = sanitation.get(f"/open311/v2/requests/{ticket}.json").json()[0]
    assert seen["agency_responsible"] == "环卫所" and seen["geogrid"]["reporter_phone"] != "13812345678"
    assert police.get(f"/open311/v2/requests/{ticket}.json").status_code == 404
    assert ticket not in {r["service_request_id"] for r in police.get("/open311/v2/requests.json").json()}


def test_open311_list_filters_by_the_georeport_parameters():
    lon, lat = interior_point_of(leaf_grid().code)
    at = datetime(2020, 3, 2, 9, 30, tzinfo=SHANGHAI)
    new = services.NewReport(category=EventCategory.objects.get(code="0101"), description="测试工单",
                             point=parse_point(lon, lat))
    old, _ = services.report(new=new, user=user("community"), at=at)
    settled = file_report("0102", settled_note="已劝离摊贩")
    client = APIClient()
    client.force_authenticate(user("street"))

    def ids(query: str) -> set[str]:
        response = client.get(f"/open311/v2/requests.json?{query}")
        assert response.status_code == 200, response.content
        return {r["service_request_id"] for r in response.json()}

    both = f"service_request_id={old.pk},{settled.pk},x,99999999999"
    assert ids(both) == {str(old.pk), str(settled.pk)}
    assert ids(f"{both}&service_code=0102,9999") == {str(settled.pk)}
    assert ids(f"{both}&status=open") == {str(old.pk)}
    assert ids(f"{both}&status=closed") == {str(settled.pk)}
    assert ids(f"{both}&start_date=2020-03-02T09:30:00%2B08:00") == {str(old.pk), str(settled.pk)}  # inclusive
    assert ids(f"{both}&start_date=2020-03-02T09:30:01%2B08:00") == {str(settled.pk)}
    assert ids(f"{both}&end_date=2020-03-02T01:30:00Z") == {str(old.pk)}  # the same instant in UTC, inclusive
    assert ids(f"{both}&start_date=2020-03-01&end_date=2020-03-03") == {str(old.pk)}  # naive: Beijing time
    assert ids(f"{both}&end_date=2020-03-02") == set()


@pytest.mark.parametrize("query, field", [("start_date=2020-13-01", "start_date"), ("end_date=yesterday", "end_date"),
                                          ("end_date=2020-02-30T00:00:00", "end_date")])
def test_open311_list_refuses_bad_dates_with_400(query, field):
    client = APIClient()
    client.force_authenticate(user("street"))
    response = client.get(f"/open311/v2/requests.json?{query}")
    assert response.status_code == 400
    assert response.json() == [{"code": 400, "description": response.json()[0]["description"], "error": "invalid",
                                "field": field}]
    assert response.json()[0]["description"].startswith("日期时间格式错误")  # in Chinese


def test_open311_list_refuses_a_bad_status_with_400_in_chinese():
    client = APIClient()
    client.force_authenticate(user("street"))
    response = client.get("/open311/v2/requests.json?status=pending")
    assert response.status_code == 400
    assert response.json() == [{"code": 400, "description": "status 须为 open 或 closed", "error": "invalid_choice",
                                "field": "status"}]


@pytest.mark.parametrize("query, field, code", [({"start_date": "2020-13-01"}, "start_date", "invalid"),
                                                ({"end_date": "soon"}, "end_date", "invalid"),
                                                ({"status": "pending"}, "status", "invalid_choice")])
def test_the_open311_filter_set_refuses_what_it_cannot_read_as_a_400(query, field, code):
    """Behind the view's QuerySerializer too: a bad value the filter set gets is a ValidationError, not a 500."""
    with pytest.raises(ValidationError) as refused:
        filtered(Open311RequestFilter, query, Event.objects.all())
    [detail] = refused.value.detail[field]
    assert detail.code == code and str(detail)
    if field == "status":
        assert str(detail) == "status 须为 open 或 closed"


def test_the_workflow_api_refuses_with_the_reason_and_lists_allowed_actions():
    event = file_report("0701")
    client = APIClient()
    client.force_authenticate(user("street"))
    detail = client.get(f"/api/v1/events/{event.pk}").json()
    assert {a["action"] for a in detail["actions"]} >= {"accept", "return", "escalate"}
    answer = client.post(f"/api/v1/events/{event.pk}/transitions", {"action": "close"}, format="json")
    assert answer.status_code == 400 and answer.json()["code"] == "action_not_allowed"
    done = client.post(f"/api/v1/events/{event.pk}/transitions", {"action": "accept"}, format="json")
    assert done.json()["status"] == "accepted"


# ---- bulk re-routing -----------------------------------------------------------------------------------------

def test_route_events_puts_moved_tickets_back_on_their_grid_and_records_why():
    event = file_report("0101")
    right = event.grid
    wrong = Grid.objects.current().filter(level=1).exclude(pk=right.pk).order_by("code").first()
    Event.objects.filter(pk=event.pk).update(grid=wrong, grid_ids=[wrong.pk])
    assert services.route_events([event.pk]) == 1
    event.refresh_from_db()
    assert event.grid == right and event.grid_ids[0] == right.pk
    assert event.transitions.filter(action="reroute").get().data == {"grid": [wrong.pk, right.pk]}
    assert services.route_events([event.pk]) == 0
