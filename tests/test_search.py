"""The map's search box: grid codes and names, addresses in any character width, coordinates in either
order, and never anything outside the user's area."""
import pytest
from django.contrib.auth.models import User

from geogrid.buildings.models import Building
from geogrid.grids.models import Grid
from tests.demo_facts import COMMUNITY

pytestmark = pytest.mark.django_db


def results(client, username: str, q: str) -> list[dict]:
    client.force_login(User.objects.get(username=username))
    response = client.get("/api/v1/search", {"q": q})
    assert response.status_code == 200
    return response.json()["results"]


def test_a_grid_code_finds_the_grid_with_its_extent(client):
    grid = Grid.objects.current().filter(community__code=COMMUNITY, level=1).order_by("code").first()
    first = results(client, "community", grid.code)[0]
    assert (first["kind"], first["code"]) == ("grid", grid.code)
    xmin, ymin, xmax, ymax = first["bbox"]
    assert xmin <= first["lon"] <= xmax and ymin <= first["lat"] <= ymax


def test_a_full_width_address_finds_the_building_exactly_first(client):
    building = Building.objects.filter(community__code=COMMUNITY, address__regex=r"\d+号$").order_by("id").first()
    wide = building.address.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    first = results(client, "community", wide)[0]
    assert (first["kind"], first["label"], first["code"]) == ("building", building.address, building.grid_l1.code)


def test_coordinates_in_either_order_and_with_a_chinese_comma(client):
    for q in ("108.681, 26.952", "26.952 108.681", "108.681，26.952"):
        assert results(client, "community", q) == [
            {"kind": "point", "label": "108.681000, 26.952000", "detail": "坐标（CGCS2000）", "lon": 108.681,
             "lat": 26.952, "bbox": None, "code": None}]


def test_nothing_outside_the_users_area_and_nothing_for_anonymous_users(client):
    other = Building.objects.exclude(community__code=COMMUNITY).order_by("id").first()
    assert results(client, "community", other.address) == []
    assert any(r["label"] == other.address for r in results(client, "street", other.address))
    client.logout()
    assert client.get("/api/v1/search", {"q": "和平"}).status_code in (401, 403)
