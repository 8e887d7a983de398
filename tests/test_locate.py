"""GET /api/v1/locate on the demo town: interior, nested, boundary, outside and malformed points."""
import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from geogrid.core.chinacrs import wgs84_to_bd09, wgs84_to_gcj02
from geogrid.demo.town import STREET_CODE
from geogrid.grids.models import Grid
from tests.helpers import interior_point_of, one

pytestmark = pytest.mark.django_db


def locate(params: dict, user: User | None = None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client.get("/api/v1/locate", params)


def leaf_level1_grid() -> Grid:
    """A comprehensive level-1 grid without children, with staff."""
    return (
        Grid.objects.current().filter(level=1, kind="comprehensive", children__isnull=True, staff__isnull=False)
        .order_by("code").first()
    )


def test_interior_point_answers_its_grid_community_and_street():
    grid = leaf_level1_grid()
    lon, lat = interior_point_of(grid.code)
    body = locate({"lon": lon, "lat": lat}).json()
    assert body["covered"] is True
    assert [g["code"] for g in body["grids"]] == [grid.code]
    assert body["community"]["code"] == grid.community.code
    assert body["street"]["code"] == grid.community.parent.code
    assert body["on_boundary"] is False
    assert body["grids"][0]["households"] == grid.household_count
    assert {s["role"] for s in body["staff"]} >= {"网格长"}


def test_point_in_estate_answers_all_three_levels_finest_first():
    level3 = Grid.objects.current().filter(level=3).order_by("code").first()
    lon, lat = interior_point_of(level3.code)
    body = locate({"lon": lon, "lat": lat}).json()
    codes = [g["code"] for g in body["grids"]]
    assert [g["level"] for g in body["grids"]] == [3, 2, 1]
    assert codes == [level3.code, level3.parent.code, level3.parent.parent.code]


def test_wgs84_and_projected_input_find_the_same_grid():
    grid = leaf_level1_grid()
    lon, lat = interior_point_of(grid.code)
    x, y = one("SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Transform(ST_SetSRID(ST_MakePoint(%s,%s),4490),4545) p) s",
               [lon, lat])
    for params in ({"lon": lon, "lat": lat, "crs": "wgs84"}, {"lon": x, "lat": y, "crs": "EPSG:4545"}):
        assert [g["code"] for g in locate(params).json()["grids"]] == [grid.code]


@pytest.mark.parametrize("crs, shift", [("gcj02", wgs84_to_gcj02), ("bd09", wgs84_to_bd09)])
def test_shifted_phone_point_answers_the_same_grid_as_cgcs2000(crs, shift):
    grid = leaf_level1_grid()
    lon, lat = interior_point_of(grid.code)
    x, y = shift(lon, lat)
    body = locate({"lon": x, "lat": y, "crs": crs}).json()
    assert [g["code"] for g in body["grids"]] == [grid.code]
    assert body["point"]["crs"] == "cgcs2000"
    assert (body["point"]["lon"], body["point"]["lat"]) == pytest.approx((lon, lat), abs=1e-7)


def test_raw_gcj02_taken_as_cgcs2000_lands_hundreds_of_metres_away():
    """Why the conversion matters: an Amap/WeChat point read as CGCS2000 is routed to another grid."""
    grid = leaf_level1_grid()
    lon, lat = interior_point_of(grid.code)
    x, y = wgs84_to_gcj02(lon, lat)
    body = locate({"lon": x, "lat": y}).json()
    assert [g["code"] for g in body["grids"] if g["level"] == 1] != [grid.code]
    moved_m = one(
        "SELECT ST_Distance(ST_SetSRID(ST_MakePoint(%s, %s), 4490)::geography, "
        "ST_SetSRID(ST_MakePoint(%s, %s), 4490)::geography)",
        [lon, lat, body["point"]["lon"], body["point"]["lat"]],
    )[0]
    assert 300 < moved_m < 1000


def test_point_on_shared_boundary_goes_to_lowest_code_and_says_so():
    # A vertex shared by two neighbouring current level-1 grids.
    lon, lat, code_a, code_b = one(
        """
        SELECT ST_X(v.geom), ST_Y(v.geom), a.code, b.code
        FROM grids_grid a JOIN grids_grid b
          ON a.level = 1 AND b.level = 1 AND a.code < b.code AND ST_Touches(a.geom, b.geom)
         AND a.generation_high_id IS NULL AND b.generation_high_id IS NULL,
        LATERAL ST_DumpPoints(a.geom) v
        WHERE ST_Intersects(v.geom, b.geom)
        ORDER BY a.code, b.code LIMIT 1
        """
    )
    body = locate({"lon": repr(lon), "lat": repr(lat)}).json()
    level1 = [g["code"] for g in body["grids"] if g["level"] == 1]
    assert body["on_boundary"] is True
    assert level1 == [min(code_a, code_b)]


def test_point_outside_all_grids_names_the_nearest_grid_and_distance():
    # 3 km east of the streets' eastern edge, on their centre latitude.
    lon, lat = one(
        "SELECT ST_XMax(geom) + 0.03, (ST_YMin(geom) + ST_YMax(geom)) / 2 "
        "FROM (SELECT ST_Union(geom) AS geom FROM areas_area WHERE kind = 'street') s"
    )
    expected_code, expected_m = one(
        "SELECT code, ST_Distance(geom::geography, ST_SetSRID(ST_MakePoint(%s, %s), 4490)::geography) d "
        "FROM grids_grid WHERE generation_high_id IS NULL ORDER BY d LIMIT 1",
        [lon, lat],
    )
    response = locate({"lon": lon, "lat": lat})
    body = response.json()
    assert response.status_code == 200
    assert body["covered"] is False and body["grids"] == [] and body["community"] is None
    assert body["nearest_grid"]["code"] == expected_code
    assert body["nearest_grid"]["distance_m"] == pytest.approx(expected_m, abs=0.2)
    assert 2500 < body["nearest_grid"]["distance_m"] < 4000


@pytest.mark.parametrize(
    "params, reason",
    [
        ({"lon": "abc", "lat": "26.9"}, "数字"),
        ({"lon": "108.68", "lat": "x"}, "数字"),
        ({"lon": "108.68", "lat": "95"}, "超出范围"),
        ({"lon": "26.95", "lat": "108.68"}, "写反"),
        ({"lon": "2.35", "lat": "48.85"}, "不在中国境内"),
        ({"lon": "108.68", "lat": "26.95", "crs": "EPSG:999999"}, "未知的坐标系"),
        ({"lon": "108.68", "lat": "26.95", "crs": "mars"}, "无法识别"),
        ({"lon": "nan", "lat": "26.95"}, "有限"),
        ({"lon": "26.95", "lat": "108.68", "crs": "gcj02"}, "写反"),
        ({"lon": "567524", "lat": "2982272", "crs": "wgs84"}, "投影坐标"),
        ({"lon": "108.68", "lat": "26.95", "crs": "EPSG:4545"}, "像是经纬度"),
    ],
)
def test_bad_coordinates_get_400_with_reason(params, reason):
    response = locate(params)
    assert response.status_code == 400
    assert reason in response.json()["message"]


def _staff_phones(grid: Grid, user: User | None) -> list[str]:
    lon, lat = interior_point_of(grid.code)
    phones = [s["phone"] for s in locate({"lon": lon, "lat": lat}, user).json()["staff"]]
    assert phones, f"demo grid {grid.code} has no staff"
    return phones


def _staffed_grid(**filters) -> Grid:
    return Grid.objects.current().filter(level=1, staff__isnull=False, **filters).order_by("code").first()


def _staffed_grids_by_code() -> list[Grid]:
    return list(Grid.objects.current().filter(level=1, staff__isnull=False).distinct().order_by("-code"))


def test_phones_are_masked_for_anonymous_callers():
    assert all("****" in p for p in _staff_phones(leaf_level1_grid(), None))


def test_community_user_sees_phones_in_own_community_only():
    user = User.objects.get(username="community")
    own = _staffed_grid(community=user.scope.area)
    other = Grid.objects.current().filter(level=1, staff__isnull=False).exclude(
        community=user.scope.area).order_by("code").first()
    assert all("****" not in p and len(p) == 11 for p in _staff_phones(own, user))
    assert all("****" in p for p in _staff_phones(other, user))


def test_street_user_sees_phones_in_every_community_of_the_street():
    user = User.objects.get(username="street")
    communities = {g.community_id: g for g in _staffed_grids_by_code() if g.code.startswith(STREET_CODE[:9])}
    assert len(communities) >= 8
    for grid in communities.values():
        assert all("****" not in p for p in _staff_phones(grid, user))


def test_business_grids_are_reported_by_department():
    grid = leaf_level1_grid()
    lon, lat = interior_point_of(grid.code)
    expected = one(
        "SELECT count(*) FROM departments_businessgrid WHERE generation_high_id IS NULL "
        "AND ST_Covers(geom, ST_SetSRID(ST_MakePoint(%s, %s), 4490))",
        [lon, lat],
    )[0]
    body = locate({"lon": lon, "lat": lat}).json()
    assert len(body["business_grids"]) == expected
    assert all(b["department"] for b in body["business_grids"])


def test_boundary_between_a_child_grid_and_a_neighbouring_level1_grid_keeps_one_parent_chain():
    """The finest grid wins and the answer above it is its own parent, never the neighbour."""
    lon, lat, child_code, parent_code, neighbour_code = one(
        """
        SELECT ST_X(v.geom), ST_Y(v.geom), c.code, parent.code, n.code
        FROM grids_grid c
        JOIN grids_grid parent ON parent.id = c.parent_id
        JOIN grids_grid n ON n.level = 1 AND n.id <> parent.id AND n.generation_high_id IS NULL
                         AND ST_Touches(n.geom, parent.geom),
        LATERAL ST_DumpPoints(c.geom) v
        WHERE c.level = 2 AND c.generation_high_id IS NULL AND ST_Intersects(v.geom, n.geom)
        ORDER BY c.code, n.code LIMIT 1
        """
    )
    body = locate({"lon": repr(lon), "lat": repr(lat)}).json()
    assert [(g["level"], g["code"]) for g in body["grids"]][-2:] == [(2, child_code), (1, parent_code)]
    assert neighbour_code not in {g["code"] for g in body["grids"]}
    assert body["on_boundary"] is True
