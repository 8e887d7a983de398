"""/api/v1/building: one building's details for the map, by id (a click) or by point (a search result),
for logged-in users inside their area only."""
import pytest
from django.contrib.auth.models import User

from geogrid.buildings.models import Building
from tests.demo_facts import COMMUNITY

pytestmark = pytest.mark.django_db


def get(client, username: str, **params):
    client.force_login(User.objects.get(username=username))
    return client.get("/api/v1/building", params)


def own_building() -> Building:
    return (Building.objects.filter(community__code=COMMUNITY, footprint__isnull=False, households__gt=0)
            .select_related("grid_l1", "grid_l3", "community").order_by("id").first())


def test_a_building_by_id_has_its_counts_and_grids(client):
    building = own_building()
    response = get(client, "community", id=building.pk)
    assert response.status_code == 200
    body = response.json()
    assert body["address"] == building.address
    assert (body["floors"], body["households"], body["resident_households"], body["population"]) == (
        building.floors, building.households, building.resident_households, building.population)
    assert body["use_label"] == building.get_use_display()
    assert body["community"] == {"code": COMMUNITY, "name": building.community.name}
    grids = {g["level"]: g["code"] for g in body["grids"]}
    assert grids[1] == building.grid_l1.code
    assert [g["level"] for g in body["grids"]] == sorted(grids, reverse=True)  # finest first
    xmin, ymin, xmax, ymax = body["bbox"]
    assert xmin <= body["point"]["lon"] <= xmax and ymin <= body["point"]["lat"] <= ymax


def test_a_search_results_point_finds_its_building(client):
    building = own_building()
    for candidate in (building, Building.objects.filter(community__code=COMMUNITY, footprint__isnull=True)
                      .order_by("id").first()):
        if candidate is None:  # the demo town may draw every building with a footprint
            continue
        response = get(client, "community", lon=candidate.point.x, lat=candidate.point.y)
        assert response.status_code == 200
        assert response.json()["id"] == candidate.pk


def test_a_building_of_another_community_is_not_found(client):
    other = Building.objects.exclude(community__code=COMMUNITY).exclude(community=None).order_by("id").first()
    assert get(client, "community", id=other.pk).status_code == 404
    assert get(client, "community", lon=other.point.x, lat=other.point.y).status_code == 404
    # The street's user sees it; nothing but counts and places: a building holds no personal data.
    body = get(client, "street", id=other.pk).json()
    assert set(body) == {"id", "address", "use", "use_label", "floors", "households", "resident_households",
                         "population", "community", "grids", "point", "bbox"}


def test_bad_input_and_anonymous_callers(client):
    assert get(client, "community", id="abc").status_code == 400
    assert get(client, "community", lon="x", lat="1").status_code == 400
    assert get(client, "community", id=10**9).status_code == 404
    client.logout()
    assert client.get("/api/v1/building", {"id": own_building().pk}).status_code in (401, 403)
