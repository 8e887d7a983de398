"""Ticket, Open311 and instruction API input (issue 12): what gave HTTP 500, was coerced or wrote server-owned
fields is a 400 with a stable code (Open311: in GeoReport v2's list shape), and nothing is written."""
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import User
from django.test import Client

from geogrid.core.crs import parse_point
from geogrid.events import services
from geogrid.events.models import Event, EventCategory, EventTransition
from geogrid.grids.models import Grid
from geogrid.instructions.models import Instruction
from tests.demo_facts import COMMUNITY
from tests.helpers import interior_point_of

pytestmark = pytest.mark.django_db

FORM = "application/x-www-form-urlencoded"
REQUESTS = "/open311/v2/requests.json"


def client_for(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def grid() -> Grid:
    return Grid.objects.current().filter(level=1, community__code=COMMUNITY).order_by("code").first()


def ticket(code: str = "0701") -> Event:
    new = services.NewReport(category=EventCategory.objects.get(code=code), description="输入测试",
                             point=parse_point(*interior_point_of(grid().code)))
    return services.report(new=new, user=User.objects.get(username="community"))[0]


def step_url(event: Event) -> str:
    return f"/api/v1/events/{event.pk}/transitions"


def steps_of(event: Event) -> list[str]:
    return list(EventTransition.objects.filter(event=event).order_by("pk").values_list("action", flat=True))


def verifying() -> Event:
    """A ticket waiting for the grid worker's verification (close is next)."""
    event = ticket()
    for action, username, note in [("accept", "street", ""), ("dispatch", "street", ""), ("start", "police", ""),
                                   ("feed_back", "police", "已处理"), ("verify", "street", "")]:
        services.transition(event_id=event.pk, action=action, user=User.objects.get(username=username), note=note)
    return event


# ---- workflow steps ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("body, code, field", [
    ({"action": "accept", "at": "2001-01-01"}, "unknown_field", "at"),
    ({"action": "accept", "user": 1}, "unknown_field", "user"),
    ({"action": "accept", "event_id": 1}, "unknown_field", "event_id"),
    ({"action": "accept", "actor": "admin"}, "unknown_field", "actor"),
    ({"action": "fly"}, "invalid_choice", "action"),
    ({}, "required", "action"),
    ({"action": "accept", "note": 123}, "not_a_string", "note"),
    ({"action": "accept", "note": "a\x00b"}, "null_characters_not_allowed", "note"),
    ({"action": "accept", "into": 3}, "not_for_action", "into"),
    ({"action": "merge", "into": "x"}, "invalid", "into"),
])
def test_a_bad_step_is_400_and_records_nothing(body, code, field):
    event = ticket()
    response = client_for("street").post(step_url(event), body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert steps_of(event) == ["report"] and Event.objects.get(pk=event.pk).status == "reported"


def test_a_step_dated_by_the_client_is_refused_not_written_into_the_history():
    """Regression: {"at": "2001-01-01"} wrote a step dated 2000 into the append-only history."""
    event = ticket()
    response = client_for("street").post(step_url(event), {"action": "accept", "at": "2001-01-01"},
                                         content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "unknown_field"
    assert not EventTransition.objects.filter(event=event, at__year__lt=2020).exists()


@pytest.mark.parametrize("key", ["user", "event_id"])
def test_server_owned_keys_are_400_not_500(key):
    """Regression: `user` and `event_id` reached the service as keyword arguments and gave HTTP 500."""
    response = client_for("street").post(step_url(ticket()), {"action": "accept", key: 1},
                                         content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "unknown_field"


@pytest.mark.parametrize("raw, satisfied", [("false", False), ("0", False), ("true", True), ("1", True)])
def test_form_encoded_satisfied_is_recorded_as_sent(raw, satisfied):
    """Regression: form-encoded satisfied=false recorded the ticket as satisfied."""
    event = verifying()
    response = client_for("community").post(step_url(event), urlencode({"action": "close", "satisfied": raw}),
                                            content_type=FORM)
    assert response.status_code == 200, response.content
    event = Event.objects.get(pk=event.pk)
    assert (event.status, event.satisfied) == ("closed", satisfied)
    assert EventTransition.objects.get(event=event, action="close").data == {"satisfied": satisfied}


@pytest.mark.parametrize("raw", ["no", "yes", "2", "1.0"])  # "" in a form is "not given"
def test_a_satisfied_that_is_not_a_boolean_is_400(raw):
    event = verifying()
    response = client_for("community").post(step_url(event), urlencode({"action": "close", "satisfied": raw}),
                                            content_type=FORM)
    assert response.status_code == 400 and response.json()["field"] == "satisfied"
    assert Event.objects.get(pk=event.pk).status == "verifying"


@pytest.mark.parametrize("days, code", [(0, "min_value"), (31, "max_value"), ("3x", "invalid")])
def test_extension_days_are_1_to_30(days, code):
    event = ticket()
    for action, username in (("accept", "street"), ("dispatch", "street"), ("start", "police")):
        services.transition(event_id=event.pk, action=action, user=User.objects.get(username=username))
    response = client_for("police").post(step_url(event), {"action": "request_extension", "note": "需协调",
                                                           "days": days}, content_type="application/json")
    assert (response.status_code, response.json()["code"], response.json()["field"]) == (400, code, "days")


def test_a_step_the_role_may_not_take_is_403_and_a_missing_note_names_the_field():
    event = ticket()
    for username in ("police", "community"):  # the unit it is routed to and the grid worker: not the centre
        answer = client_for(username).post(step_url(event), {"action": "accept"}, content_type="application/json")
        assert (answer.status_code, answer.json()["code"]) == (403, "not_your_role")
    note = client_for("street").post(step_url(event), {"action": "return"}, content_type="application/json")
    assert (note.status_code, note.json()["code"], note.json()["field"]) == (400, "note_required", "note")


def test_the_ticket_api_answers_404_in_the_error_shape():
    response = client_for("street").get("/api/v1/events/999999999")
    assert response.status_code == 404
    assert response.json() == {"code": "no_such_ticket", "message": "没有此工单", "field": None}


# ---- placing a ticket --------------------------------------------------------------------------------------

@pytest.mark.parametrize("body, code, field", [
    ({"lon": "NaN", "lat": 26.5}, "invalid", "lon"),
    ({"lon": True, "lat": 26.5}, "invalid", "lon"),
    ({"lat": 26.5}, "required", "lon"),
    ({"lon": 108.7, "lat": 26.5, "crs": "mars"}, "invalid_coordinates", "crs"),
    ({"lon": 108.7, "lat": 26.5, "at": "2001-01-01"}, "unknown_field", "at"),
])
def test_a_bad_place_is_400_and_moves_nothing(body, code, field):
    event = ticket()
    before = Event.objects.get(pk=event.pk).location.wkt
    response = client_for("street").post(f"/api/v1/events/{event.pk}/place", body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert Event.objects.get(pk=event.pk).location.wkt == before


# ---- Open311 (anonymous) -----------------------------------------------------------------------------------

def open311(**fields) -> dict:
    lon, lat = interior_point_of(grid().code)
    return {"service_code": "0101", "description": "垃圾未清运", "lat": lat, "long": lon,
            "coordinate_system": "cgcs2000", **fields}


def assert_open311_refused(response, error: str, field: str) -> None:
    assert response.status_code == 400, response.content
    body = response.json()
    assert isinstance(body, list) and len(body) == 1
    assert (body[0]["code"], body[0]["error"], body[0]["field"]) == (400, error, field)
    assert body[0]["description"] and " / " not in body[0]["description"]


def post_open311(body: dict):
    return Client().post(REQUESTS, body, content_type="application/json")


def test_open311_description_123_is_400_not_500():
    before = Event.objects.count()
    assert_open311_refused(post_open311(open311(description=123)), "not_a_string", "description")
    assert Event.objects.count() == before


def test_open311_description_list_is_400_not_500():
    assert_open311_refused(post_open311(open311(description=[1, 2, 3])), "not_a_string", "description")


def test_open311_description_null_is_400_not_500():
    assert_open311_refused(post_open311(open311(description=None)), "null", "description")


def test_open311_description_with_nul_bytes_is_400_not_500():
    assert_open311_refused(post_open311(open311(description="垃圾\x00未清运")), "null_characters_not_allowed",
                           "description")


def test_open311_nul_bytes_in_a_form_post_are_400_not_500():
    response = Client().post(REQUESTS, urlencode(open311(address_string="幸福路\x00号")), content_type=FORM)
    assert_open311_refused(response, "null_characters_not_allowed", "address_string")


@pytest.mark.parametrize("fields, error, field", [
    ({"lat": "NaN"}, "invalid", "lat"),
    ({"long": None}, "null", "long"),
    ({"service_code": 101}, "not_a_string", "service_code"),
    ({"user": 1}, "unknown_field", "user"),
    ({"media": "x.png"}, "not_a_list", "media"),
])
def test_open311_other_bad_inputs_are_400_in_the_list_shape(fields, error, field):
    assert_open311_refused(post_open311(open311(**fields)), error, field)


def test_open311_a_body_that_is_not_an_object_is_400():
    response = Client().post(REQUESTS, [1, 2, 3], content_type="application/json")
    assert response.status_code == 400 and response.json()[0]["error"] == "invalid"


def test_open311_ignores_the_standards_keys_it_does_not_use():
    response = post_open311(open311(jurisdiction_id="city.gov", api_key="k", email="a@b.c", device_id="d"))
    assert response.status_code == 201, response.content


@pytest.mark.parametrize("query, error, field", [
    ("start_date=yesterday", "invalid", "start_date"),
    ("status=pending", "invalid_choice", "status"),
    ("service_request_id=%00", "null_characters_not_allowed", "service_request_id"),
    ("page=2", "unknown_field", "page"),
])
def test_open311_bad_list_queries_are_400_in_the_list_shape(query, error, field):
    assert_open311_refused(client_for("street").get(f"{REQUESTS}?{query}"), error, field)


def test_open311_not_found_and_not_signed_in_keep_the_list_shape():
    missing = client_for("street").get("/open311/v2/requests/999999999.json")
    assert missing.status_code == 404 and missing.json()[0]["error"] == "no_such_ticket"
    anonymous = Client().get(REQUESTS)
    assert anonymous.status_code in (401, 403) and anonymous.json()[0]["code"] == anonymous.status_code


# ---- instructions ------------------------------------------------------------------------------------------

def pending() -> Instruction:
    response = client_for("police").post("/api/v1/instructions/", {"grid": grid().code, "task": "08",
                                                                   "content": "排查出租屋消防隐患"},
                                         content_type="application/json")
    assert response.status_code == 201, response.content
    instruction = Instruction.objects.get(pk=response.json()["id"])
    assert instruction.status == Instruction.Status.PENDING
    return instruction


@pytest.mark.parametrize("raw", ["false", "0"])
def test_a_form_encoded_accept_false_does_not_put_the_instruction_into_effect(raw):
    """Regression: bool("false") is True, so accept=false passed the instruction to the grid."""
    instruction = pending()
    url = f"/api/v1/instructions/{instruction.pk}/decision"
    response = client_for("street").post(url, urlencode({"accept": raw}), content_type=FORM)
    assert (response.status_code, response.json()["code"]) == (400, "reason_required")
    assert Instruction.objects.get(pk=instruction.pk).status == Instruction.Status.PENDING
    returned = client_for("street").post(url, urlencode({"accept": raw, "reason": "不属准入事项"}), content_type=FORM)
    assert returned.status_code == 200 and returned.json()["status"] == "refused"


@pytest.mark.parametrize("url, body, code, field", [
    ("/api/v1/instructions/", {"grid": 123, "content": "x"}, "not_a_string", "grid"),
    ("/api/v1/instructions/", {"grid": "nope", "content": "x"}, "no_such_grid", "grid"),
    ("/api/v1/instructions/", {"content": "x"}, "required", "grid"),
    ("/api/v1/instructions/", {"grid": "G", "content": "x", "sent_by": 1}, "unknown_field", "sent_by"),
    ("decision", {"accept": "no"}, "invalid", "accept"),
    ("decision", {"reason": "x"}, "required", "accept"),
    ("response", {"response": ["done"]}, "not_a_string", "response"),
])
def test_bad_instruction_input_is_400_and_changes_nothing(url, body, code, field):
    instruction = pending()
    username = {"decision": "street", "response": "community"}.get(url, "police")
    path = url if url.startswith("/") else f"/api/v1/instructions/{instruction.pk}/{url}"
    count = Instruction.objects.count()
    response = client_for(username).post(path, body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert Instruction.objects.count() == count
    assert Instruction.objects.get(pk=instruction.pk).status == Instruction.Status.PENDING
