"""Coverage API query strings (issue 12): NUL bytes and other bad values are a 400 with a stable code."""
import pytest
from django.contrib.auth.models import User

from tests.demo_facts import COMMUNITY, STREET


@pytest.mark.django_db
@pytest.mark.parametrize("query, code, field", [
    ("area=%00", "null_characters_not_allowed", "area"),
    (f"area={COMMUNITY}%00", "null_characters_not_allowed", "area"),
    (f"area={COMMUNITY}&level=%00", "invalid_choice", "level"),
    (f"area={COMMUNITY}&level=abc", "invalid_choice", "level"),
    (f"area={COMMUNITY}&repair=maybe", "invalid", "repair"),
    (f"area={COMMUNITY}&format=xml", "not_found", None),
    ("", "required", "area"),
    ("area=999999999999", "unknown_area", "area"),
])
def test_a_bad_coverage_query_is_400_with_a_code(client, query, code, field):
    client.force_login(User.objects.get(username="community"))
    response = client.get(f"/api/v1/coverage?{query}")
    assert response.status_code in (400, 404), response.content
    assert (response.json()["code"], response.json()["field"]) == (code, field)


@pytest.mark.django_db
def test_an_area_outside_the_scope_is_403_with_a_code(client):
    client.force_login(User.objects.get(username="community"))
    response = client.get(f"/api/v1/coverage?area={STREET}")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
