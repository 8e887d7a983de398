"""Bad input to the grid editor's API (issue 12): each case that gave HTTP 500, or did the wrong thing, is a
400 with a stable code now, and changes nothing. Scope of the change requests and the four-eyes rule."""
import pytest
import shapely.affinity
from django.contrib.auth.models import User
from shapely.geometry import mapping, shape
from django.test import override_settings

from geogrid.adjustments.models import ChangeRequest
from geogrid.core.models import Generation
from geogrid.grids.models import Grid
from tests.test_adjustments import API, COMMUNITY, draft_and_split, logged_in, split_line

GRID = f"{COMMUNITY}001"
DECISION = "/api/v1/adjustments/requests/{}/decision"


def post(client, url: str, body) -> "object":
    return client.post(url, body, content_type="application/json")


def operation(client, op: dict, draft: dict | None = None):
    if draft is None:
        draft = client.get(f"{API}/draft").json()["draft"]
    return post(client, f"{API}/operations", {"draft": draft, "operation": op})


@pytest.fixture
def pending(client) -> ChangeRequest:
    """A pending split of GRID, submitted by the community's clerk."""
    loaded, result = draft_and_split(logged_in(client, "community"), GRID)
    response = post(client, f"{API}/requests", {"draft": result["draft"], "base": loaded["base"], "reason": "拆分"})
    assert response.status_code == 201, response.content
    return ChangeRequest.objects.get(pk=response.json()["id"])


# ---- the HTTP 500s of the probe ----------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("value", ["NaN", "inf", "-Infinity", "1e999x", True, None])
def test_split_with_non_finite_coordinates_is_400(client, value):
    line = split_line(GRID)
    line["coordinates"][0] = [value, value]
    response = operation(logged_in(client, "community"), {"op": "split", "grid": GRID, "line": line})
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid_geometry" and response.json()["field"] == "operation.line"


@pytest.mark.django_db
def test_a_self_intersecting_reshape_region_is_400_invalid_geometry(client):
    xmin, ymin, xmax, ymax = Grid.objects.current().get(code=GRID).geom.extent
    bowtie = {"type": "Polygon", "coordinates": [[[xmin, ymin], [xmax, ymax], [xmax, ymin], [xmin, ymax],
                                                  [xmin, ymin]]]}
    response = operation(logged_in(client, "community"), {"op": "reshape", "grid": GRID, "region": bowtie})
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid_geometry"


@pytest.mark.django_db
@pytest.mark.parametrize("op, code, field", [
    ({"op": "split", "grid": GRID}, "required", "operation.line"),
    ({"op": "explode"}, "invalid_choice", "operation.op"),
    ({"op": "merge", "grids": GRID}, "not_a_list", "operation.grids"),
    ({"op": "draw", "region": {"type": "Polygon"}}, "invalid_geometry", "operation.region"),
    ({"op": "draw", "region": {"type": "Point", "coordinates": [108.7, 26.9]}}, "invalid_geometry",
     "operation.region"),
    ({"op": "split", "grid": GRID, "line": {"type": "LineString", "coordinates": [[500, 26.9], [108.7, 26.9]]}},
     "invalid_geometry", "operation.line"),
    ({"op": "split", "grid": GRID, "line": {"type": "LineString", "coordinates": [108.7, 26.9]}},
     "invalid_geometry", "operation.line"),
    ({"op": "draw", "region": [[1, 2]], "at": 1}, "unknown_field", "operation.at"),
])
def test_a_malformed_operation_is_400_with_its_field(client, op, code, field):
    response = operation(logged_in(client, "community"), op)
    assert response.status_code == 400, response.content
    assert (response.json()["code"], response.json()["field"]) == (code, field)


@pytest.mark.django_db
@pytest.mark.parametrize("draft, code", [
    ({"type": "Feature"}, "invalid_choice"),
    ([1, 2], "invalid"),
    ("FeatureCollection", "invalid"),
    ({"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": None, "properties": {}}]}, "null"),
    ({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"code": "1"},
                                                 "geometry": {"type": "Point", "coordinates": [108.7, 26.9]}}]},
     "invalid_geometry"),
])
def test_a_draft_that_is_not_a_feature_collection_is_400(client, draft, code):
    response = operation(logged_in(client, "community"), {"op": "merge", "grids": [GRID, f"{COMMUNITY}003"]}, draft)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == code and response.json()["field"].startswith("draft")


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "3", "null"])
def test_a_body_that_is_not_an_object_is_400(client, body):
    logged_in(client, "community")
    requests_before = ChangeRequest.objects.count()
    for url in (f"{API}/operations", f"{API}/requests", f"{API}/restore"):
        response = post(client, url, body)
        assert response.status_code == 400 and response.json()["code"] in ("invalid", "null"), (url, response.content)
    assert ChangeRequest.objects.count() == requests_before


@pytest.mark.django_db
@pytest.mark.parametrize("generation", ["abc", None, [1], 1.5, 2**64, 0])
def test_restore_with_a_generation_that_is_not_a_number_is_400(client, generation):
    requests_before = ChangeRequest.objects.count()
    response = post(logged_in(client, "community"), f"{API}/restore", {"generation": generation, "reason": "恢复"})
    assert response.status_code == 400, response.content
    assert response.json()["field"] == "generation"
    assert ChangeRequest.objects.count() == requests_before


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["level=abc", "level=9", "level=%00"])
def test_a_bad_level_is_400(client, query):
    response = logged_in(client, "community").get(f"{API}/draft?{query}")
    assert response.status_code == 400 and response.json()["field"] == "level"


@pytest.mark.django_db
def test_a_bad_status_filter_is_400(client):
    response = logged_in(client, "street").get("/api/v1/adjustments/requests?status=%00")
    assert response.status_code == 400 and response.json()["code"] == "invalid_choice"


@pytest.mark.django_db
def test_server_owned_fields_of_a_request_are_not_client_settable(client):
    loaded, result = draft_and_split(logged_in(client, "community"), GRID)
    requests_before = ChangeRequest.objects.count()
    response = post(client, f"{API}/requests", {"draft": result["draft"], "base": loaded["base"], "reason": "拆分",
                                                "status": "approved", "created_by": 1})
    assert response.status_code == 400 and response.json()["code"] == "unknown_field"
    assert ChangeRequest.objects.count() == requests_before


@pytest.mark.django_db
def test_a_draft_cannot_choose_the_code_of_a_new_grid(client):
    loaded, result = draft_and_split(logged_in(client, "community"), GRID)
    for feature in result["draft"]["features"]:
        if feature["properties"]["code"] == "新1":
            feature["properties"]["code"] = feature["id"] = f"{COMMUNITY}999"
    requests_before = ChangeRequest.objects.count()
    response = post(client, f"{API}/requests", {"draft": result["draft"], "base": loaded["base"], "reason": "拆分"})
    assert response.status_code == 400 and response.json()["code"] == "unknown_grid_code"
    assert ChangeRequest.objects.count() == requests_before


# ---- strict booleans ---------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_form_encoded_approve_false_does_not_approve(client, pending):
    generations = Generation.objects.count()
    response = logged_in(client, "street").post(DECISION.format(pending.pk), {"approve": "false", "note": "不同意"})
    assert response.status_code == 200, response.content
    pending.refresh_from_db()
    assert pending.status == ChangeRequest.Status.REJECTED and pending.generation is None
    assert Generation.objects.count() == generations


@pytest.mark.django_db
@pytest.mark.parametrize("approve", ["maybe", "", "no", "yes", None])
def test_approve_that_is_not_a_boolean_is_400(client, pending, approve):
    generations = Generation.objects.count()
    response = logged_in(client, "street").post(DECISION.format(pending.pk), {"approve": approve},
                                                content_type="application/json")
    assert response.status_code == 400 and response.json()["field"] == "approve"
    pending.refresh_from_db()
    assert pending.status == ChangeRequest.Status.PENDING and Generation.objects.count() == generations


@pytest.mark.django_db
def test_an_approval_the_database_refuses_is_400_with_the_rules_code_and_chinese_message(client, pending):
    """A stored proposal whose grid sticks out of its community reaches the containment trigger at approval:
    400 with the rule's code and the database's Chinese message (not a 500), and nothing is written."""
    feature = next(f for f in pending.proposal["features"] if f["properties"]["code"] == GRID)
    feature["geometry"] = mapping(shapely.affinity.translate(shape(feature["geometry"]), 0.05))
    pending.save(update_fields=["proposal"])
    generations, versions = Generation.objects.count(), Grid.objects.filter(code=GRID).count()
    response = post(logged_in(client, "street"), DECISION.format(pending.pk), {"approve": True})
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "grid_outside_community"
    assert body["message"].startswith(f"数据库拒绝了此调整：网格 {GRID} 超出所属社区/村 ")
    assert body["message"].endswith(" m²")
    pending.refresh_from_db()
    assert pending.status == ChangeRequest.Status.PENDING and Generation.objects.count() == generations
    assert Grid.objects.filter(code=GRID).count() == versions


# ---- scope and the four-eyes rule --------------------------------------------------------------------------

@pytest.mark.django_db
def test_department_users_do_not_read_the_streets_change_requests(client, pending):
    police = logged_in(client, "police")
    assert police.get("/api/v1/adjustments/requests").json()["requests"] == []
    assert police.get(f"/api/v1/adjustments/requests/{pending.pk}").status_code == 404
    assert police.get(f"{API}/history").status_code == 403
    assert post(police, DECISION.format(pending.pk), {"approve": True}).status_code == 404
    street = logged_in(client, "street")
    assert pending.pk in [r["id"] for r in street.get("/api/v1/adjustments/requests").json()["requests"]]
    assert street.get(f"/api/v1/adjustments/requests/{pending.pk}").status_code == 200


def own_request(client) -> ChangeRequest:
    loaded, result = draft_and_split(logged_in(client, "street"), GRID)
    response = post(client, f"{API}/requests", {"draft": result["draft"], "base": loaded["base"], "reason": "拆分"})
    return ChangeRequest.objects.get(pk=response.json()["id"])


@pytest.mark.django_db
def test_four_eyes_nobody_approves_their_own_change_request(client):
    change = own_request(client)
    generations = Generation.objects.count()
    response = post(client, DECISION.format(change.pk), {"approve": True})
    assert response.status_code == 403 and response.json()["code"] == "own_request"
    change.refresh_from_db()
    assert change.status == ChangeRequest.Status.PENDING and Generation.objects.count() == generations
    withdrawn = post(client, DECISION.format(change.pk), {"approve": False, "note": "撤回"})
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "rejected"


@pytest.mark.django_db
@override_settings(GEOGRID_FOUR_EYES=False)
def test_without_four_eyes_the_author_may_approve(client):
    change = own_request(client)
    response = post(client, DECISION.format(change.pk), {"approve": True})
    assert response.status_code == 200, response.content
    change.refresh_from_db()
    assert change.status == ChangeRequest.Status.APPROVED and change.decided_by == User.objects.get(username="street")
    assert change.generation is not None


@pytest.mark.django_db
def test_a_decided_request_cannot_be_decided_again(client, pending):
    street = logged_in(client, "street")
    assert post(street, DECISION.format(pending.pk), {"approve": False}).status_code == 200
    again = post(street, DECISION.format(pending.pk), {"approve": True})
    assert again.status_code == 409 and again.json()["code"] == "already_decided"


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/adjustments/%00/draft", "/api/v1/adjustments/52%002/history",
                                 "/api/v1/adjustments/%00/surroundings"])
def test_a_nul_byte_in_the_community_code_is_not_found(client, url):
    response = logged_in(client, "street").get(url)
    assert response.status_code == 404


@pytest.mark.parametrize("url", ["/editor/52262400%00", "/plan/52262400%00", "/alignment/x%00"])
def test_pages_with_a_nul_byte_in_the_code_are_not_found(db, client, url):
    client.force_login(User.objects.get(username="street"))
    assert client.get(url).status_code == 404
