"""Service-circle API input (issue 12): what gave HTTP 500 or was coerced is a 400 with a stable code, and no
run is queued."""
import pytest
from django.contrib.auth.models import User

from geogrid.circles.models import CircleRun
from tests.demo_facts import STREET

RUNS = "/api/v1/circles/runs"


@pytest.mark.django_db
@pytest.mark.parametrize("body, code, field", [
    ({"network": "abc"}, "incorrect_type", "network"),
    ({"network": 999999}, "does_not_exist", "network"),
    ({"target_share": "NaN"}, "invalid", "target_share"),
    ({"target_share": 2}, "max_value", "target_share"),
    ({"new_sites": "many"}, "invalid", "new_sites"),
    ({"area": 123}, "not_a_string", "area"),
    ({"candidates": [["NaN", 26.9]], "new_sites": 1}, "invalid", "candidates.0.0"),
    ({"candidates": [[108.7]], "new_sites": 1}, "min_length", "candidates.0"),
    ({"candidates": [[108.7, 26.9]]}, "needs_sites", "candidates"),
    ({"candidates": "108.7,26.9", "new_sites": 1}, "not_a_list", "candidates"),
    ({"user": 1}, "unknown_field", "user"),
])
def test_a_bad_run_request_is_400_and_queues_nothing(client, body, code, field):
    client.force_login(User.objects.get(username="street"))
    runs = CircleRun.objects.count()
    response = client.post(RUNS, body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert CircleRun.objects.count() == runs


@pytest.mark.django_db
def test_network_abc_is_400(client):
    client.force_login(User.objects.get(username="street"))
    response = client.post(RUNS, {"network": "abc", "new_sites": 1}, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "incorrect_type"


@pytest.mark.django_db
def test_an_unknown_area_and_an_area_outside_the_scope_keep_their_codes(client):
    client.force_login(User.objects.get(username="community"))
    unknown = client.post(RUNS, {"area": "999999999999"}, content_type="application/json")
    assert unknown.status_code == 400 and unknown.json()["code"] == "unknown_area"
    outside = client.post(RUNS, {"area": STREET}, content_type="application/json")
    assert outside.status_code == 403 and outside.json()["code"] == "permission_denied"


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["level=%00", "level=town", "format=xml"])
def test_a_bad_coverage_table_or_map_query_is_400(client, query):
    client.force_login(User.objects.get(username="street"))
    url = f"{RUNS}/1/map" if query.startswith("format") else f"{RUNS}/1/coverage"
    response = client.get(f"{url}?{query}")
    assert response.status_code in (400, 404) and response.json()["code"] in ("invalid_choice", "not_found")
