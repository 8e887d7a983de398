"""The grid editor's backend: operations keep the community a clean partition and buildings whole; change
requests conflict instead of losing edits; approval writes a new version whose links follow; restore."""
import pytest
import shapely
from django.contrib.auth.models import User
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geogrid.adjustments import partition as ops
from geogrid.adjustments.models import ChangeRequest
from geogrid.buildings.models import Building
from geogrid.grids.models import Grid
from tests.demo_facts import COMMUNITY, OTHER_COMMUNITY
from tests.helpers import one

API = f"/api/v1/adjustments/{COMMUNITY}"


# ---- the partition operations, without a database ----------------------------------------------------------

def lattice(columns: int, rows: int, size: float = 100.0) -> dict[str, shapely.Polygon]:
    return ops.snapped({f"{i * rows + j + 1:03d}": shapely.box(i * size, j * size, (i + 1) * size, (j + 1) * size)
                        for i in range(columns) for j in range(rows)})


def assert_clean_partition(partition: dict, area: float, rounding: float = 0.0) -> None:
    """Valid, no gap, no overlap: areas add up, to within `rounding` (the millimetre grid's bound, m²)."""
    geoms = list(partition.values())
    assert all(g.is_valid and not g.is_empty for g in geoms)
    assert sum(g.area for g in geoms) == pytest.approx(area, abs=max(0.01, rounding))
    assert shapely.union_all(geoms).area == pytest.approx(area, abs=max(0.01, rounding))  # no overlap


def test_splits_crossing_a_slanted_boundary_off_the_millimetre_grid_are_accepted():
    """Each crossing point is rounded off the 2 km slanted edge the neighbour keeps: a sliver of rounding,
    bounded by the changed perimeter, not a gap (a fixed 0.01 m² tolerance refused most of these)."""
    part = ops.snapped({"001": shapely.Polygon([(0, 0), (1700.0, 0), (300.0, 2000.0), (0, 2000.0)]),
                        "002": shapely.Polygon([(1700.0, 0), (1900.0, 0), (1900.0, 2000.0), (300.0, 2000.0)])})
    for i in range(12):
        line = shapely.LineString([(-10, 100 + 137.1234567 * i), (1800, 1900 - 101.7654321 * i)])
        outcome = ops.split(part, "001", line)
        assert sorted(outcome.changed) == ["001", "新1"]
        assert sum(g.area for g in outcome.partition.values()) == pytest.approx(1900 * 2000, abs=2.0)  # < 1 mm × edge


def test_a_real_gap_is_refused_even_with_the_rounding_tolerance():
    part = lattice(2, 1)
    holed = {"001": part["001"].difference(shapely.box(40, 40, 42, 41)), "002": part["002"]}  # a 2 m² hole
    with pytest.raises(ops.EditError) as refused:
        ops.check_partition(part, holed)
    assert refused.value.code == "edit_opens_gap"


def test_split_gives_the_smaller_part_a_new_grid_and_keeps_a_cut_building_whole():
    part = lattice(2, 1)
    house = ops.Building(7, shapely.box(40, 40, 70, 60))  # the line x=50 cuts it; 20 of its 30 m lie east
    outcome = ops.split(part, "001", shapely.LineString([(50, -10), (50, 110)]), [house])
    assert outcome.changed == ["001", "新1"]
    east = outcome.partition["001"] if outcome.partition["001"].contains(shapely.Point(60, 50)) \
        else outcome.partition["新1"]
    assert east.contains(house.footprint)  # the whole building went to the side holding most of it
    assert east.area == pytest.approx(5000 + 10 * 20)
    assert_clean_partition(outcome.partition, 20_000)


def test_reshape_moves_a_shared_boundary_once_for_both_neighbours():
    part = lattice(2, 1)
    outcome = ops.reshape(part, "001", shapely.box(90, -50, 130, 150))
    assert outcome.partition["001"].area == pytest.approx(10_000 + 3000)
    assert outcome.partition["002"].area == pytest.approx(10_000 - 3000)
    shared = outcome.partition["001"].boundary.intersection(outcome.partition["002"].boundary)
    assert shared.length == pytest.approx(100)  # one boundary, at x=130, on both sides
    assert_clean_partition(outcome.partition, 20_000)


def test_merge_refuses_grids_that_only_touch_at_a_corner_and_draw_takes_from_every_grid_it_covers():
    part = lattice(2, 2)
    with pytest.raises(ops.EditError) as refused:
        ops.merge(part, ["001", "004"])
    assert refused.value.code == "merge_not_neighbours"
    outcome = ops.draw(part, shapely.box(50, 50, 150, 150))
    assert outcome.partition["新1"].area == pytest.approx(10_000)
    assert sorted(outcome.changed) == ["001", "002", "003", "004", "新1"]
    assert_clean_partition(outcome.partition, 40_000)


def test_a_line_that_does_not_cross_the_grid_is_refused_with_the_reason():
    with pytest.raises(ops.EditError) as refused:
        ops.split(lattice(1, 1), "001", shapely.LineString([(50, 50), (50, 150)]))
    assert refused.value.code == "split_line_not_across" and "穿过" in refused.value.message


operations = st.lists(st.tuples(st.sampled_from(["split", "merge", "reshape", "draw"]),
                                st.floats(0, 400), st.floats(0, 400), st.floats(5, 150)), min_size=1, max_size=6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operations)
def test_any_sequence_of_edits_leaves_no_gap_and_no_overlap(steps):
    part = lattice(4, 4)
    rounding = 0.0  # what snapping crossing points to the millimetre grid may move, summed over the edits
    for kind, x, y, r in steps:
        codes = sorted(part)
        try:
            if kind == "split":
                code = codes[int(x) % len(codes)]
                c = part[code].centroid
                outcome = ops.split(part, code, shapely.LineString([(c.x - 500, c.y - r), (c.x + 500, c.y + r)]))
            elif kind == "merge":
                outcome = ops.merge(part, codes[int(x) % len(codes):][:2])
            elif kind == "reshape":
                outcome = ops.reshape(part, codes[int(y) % len(codes)], shapely.Point(x, y).buffer(r))
            else:
                outcome = ops.draw(part, shapely.Point(x, y).buffer(r))
        except ops.EditError:
            continue
        rounding += ops.rounding_drift(part, outcome.partition)
        part = outcome.partition
        assert_clean_partition(part, 160_000, rounding)


# ---- the editor API on the demo town ---------------------------------------------------------------------

def logged_in(client, username: str):
    client.force_login(User.objects.get(username=username))
    return client


def split_line(code: str) -> dict:
    """A north-south line through the middle of a grid, reaching past its edges."""
    xmin, ymin, xmax, ymax = Grid.objects.current().get(code=code).geom.extent
    x = (xmin + xmax) / 2
    return {"type": "LineString", "coordinates": [[x, ymin - 0.001], [x, ymax + 0.001]]}


def draft_and_split(client, code: str) -> tuple[dict, dict]:
    loaded = client.get(f"{API}/draft").json()
    response = client.post(f"{API}/operations", {"draft": loaded["draft"], "operation": {
        "op": "split", "grid": code, "line": split_line(code)}}, content_type="application/json")
    assert response.status_code == 200, response.content
    return loaded, response.json()


@pytest.mark.django_db
def test_split_preview_counts_every_household_once(client):
    code = f"{COMMUNITY}001"
    loaded, result = draft_and_split(logged_in(client, "community"), code)
    grid = Grid.objects.current().get(code=code)
    stats = {f["properties"]["code"]: f["properties"]["stats"] for f in result["draft"]["features"]}
    assert result["changed"] == [code, "新1"]
    assert stats[code]["households"] + stats["新1"]["households"] == grid.household_count
    assert stats[code]["buildings"] + stats["新1"]["buildings"] == grid.building_count
    assert stats[code]["area_m2"] + stats["新1"]["area_m2"] == pytest.approx(
        next(f for f in loaded["draft"]["features"] if f["id"] == code)["properties"]["stats"]["area_m2"], abs=0.5)


def approve(client, request_id: int) -> None:
    response = client.post(f"/api/v1/adjustments/requests/{request_id}/decision", {"approve": True},
                           content_type="application/json")
    assert response.status_code == 200, response.content


def coverage_areas() -> tuple[float, float]:
    """The community's current level-1 grids: the sum of their areas and the area of their union (m²)."""
    return one("SELECT sum(ST_Area(ST_Transform(g.geom, 4545))), ST_Area(ST_Transform(ST_Union(g.geom), 4545)) "
               "FROM grids_grid g JOIN areas_area c ON c.id = g.community_id "
               "WHERE c.code = %s AND g.level = 1 AND g.generation_high_id IS NULL", [COMMUNITY])


@pytest.mark.django_db
def test_approval_writes_a_new_version_and_the_links_follow(client):
    code = f"{COMMUNITY}001"
    old = Grid.objects.current().get(code=code)
    staff = set(old.staff.values_list("pk", flat=True))
    used = max(Grid.objects.filter(community__code=COMMUNITY, level=1).values_list("code", flat=True))
    areas_before = coverage_areas()
    loaded, result = draft_and_split(logged_in(client, "community"), code)
    submitted = client.post(f"{API}/requests", {"draft": result["draft"], "base": loaded["base"],
                                                "reason": "新建小区入住，拆分网格"}, content_type="application/json")
    assert submitted.status_code == 201, submitted.content
    request_id = submitted.json()["id"]
    assert logged_in(client, "community").post(f"/api/v1/adjustments/requests/{request_id}/decision",
                                               {"approve": True}, content_type="application/json").status_code == 403

    decided = logged_in(client, "street").post(f"/api/v1/adjustments/requests/{request_id}/decision",
                                               {"approve": True, "note": "同意"}, content_type="application/json")
    assert decided.status_code == 200, decided.content
    old.refresh_from_db()
    assert old.generation_high_id is not None  # closed, never overwritten
    kept = Grid.objects.current().get(code=code)
    new = Grid.objects.current().get(generation_low=kept.generation_low, level=1, community__code=COMMUNITY,
                                     code__gt=used)
    assert new.code == f"{COMMUNITY}{int(used[-3:]) + 1:03d}"  # the next sequence never used in the community
    assert set(kept.staff.values_list("pk", flat=True)) == staff
    assert kept.household_count + new.household_count == old.household_count
    assert Building.objects.filter(grid_l1=new).count() == new.building_count > 0
    history = client.get(f"{API}/history").json()["versions"][0]
    assert history["request"] == request_id and history["changed"] == [code] and history["added"] == [new.code]
    # Stored back in degrees, the changed grids' vertices are snapped onto their unchanged neighbours: what is
    # left is where a new vertex meets a neighbour's straight edge, under 0.01 m² (0.09 m² unsnapped).
    assert coverage_areas() == pytest.approx(areas_before, abs=0.01)


@pytest.mark.django_db
def test_a_second_editor_of_the_same_grid_gets_a_conflict_and_keeps_the_draft(client):
    code = f"{COMMUNITY}001"
    requests_before = ChangeRequest.objects.count()
    loaded, result = draft_and_split(logged_in(client, "community"), code)
    first = client.post(f"{API}/requests", {"draft": result["draft"], "base": loaded["base"], "reason": "拆分"},
                        content_type="application/json")
    assert first.status_code == 201
    merged = client.post(f"{API}/operations", {"draft": loaded["draft"], "operation": {
        "op": "merge", "grids": [code, f"{COMMUNITY}003"]}}, content_type="application/json").json()
    second = logged_in(client, "street").post(f"{API}/requests", {"draft": merged["draft"], "base": loaded["base"],
                                                                  "reason": "合并"}, content_type="application/json")
    assert second.status_code == 409
    assert second.json()["code"] == "conflict"
    assert second.json()["conflicts"] == [code] and f"#{first.json()['id']}" in second.json()["message"]
    assert ChangeRequest.objects.count() == requests_before + 1


@pytest.mark.django_db
def test_a_draft_made_before_an_approval_conflicts_on_the_grids_that_changed(client):
    code = f"{COMMUNITY}001"
    stale, result = draft_and_split(logged_in(client, "community"), code)
    request_id = client.post(f"{API}/requests", {"draft": result["draft"], "base": stale["base"], "reason": "拆分"},
                             content_type="application/json").json()["id"]
    street = logged_in(client, "street")
    approve(street, request_id)
    again = street.post(f"{API}/operations", {"draft": stale["draft"], "operation": {
        "op": "merge", "grids": [code, f"{COMMUNITY}003"]}}, content_type="application/json").json()
    response = street.post(f"{API}/requests", {"draft": again["draft"], "base": stale["base"], "reason": "合并"},
                           content_type="application/json")
    assert response.status_code == 409 and code in response.json()["conflicts"]


@pytest.mark.django_db
def test_restoring_a_past_version_brings_the_old_boundaries_back_as_a_new_version(client):
    code = f"{COMMUNITY}001"
    original = shapely.from_wkb(bytes(Grid.objects.current().get(code=code).geom.wkb))
    codes_before = set(Grid.objects.current().filter(community__code=COMMUNITY, level=1).values_list("code", flat=True))
    loaded, result = draft_and_split(logged_in(client, "community"), code)
    request_id = client.post(f"{API}/requests", {"draft": result["draft"], "base": loaded["base"], "reason": "拆分"},
                             content_type="application/json").json()["id"]
    street = logged_in(client, "street")
    approve(street, request_id)
    split_generation = ChangeRequest.objects.get(pk=request_id).generation_id
    version = street.get(f"{API}/history/{split_generation}").json()
    assert len(version["after"]["features"]) == len(version["before"]["features"]) + 1

    before_split = street.get(f"{API}/history").json()["versions"][1]["generation"]
    restored = logged_in(client, "community").post(f"{API}/restore", {"generation": before_split,
                                                                      "reason": "撤销拆分"},
                                                   content_type="application/json")
    assert restored.status_code == 201, restored.content
    approve(logged_in(client, "street"), restored.json()["id"])
    back = shapely.from_wkb(bytes(Grid.objects.current().get(code=code).geom.wkb))
    assert shapely.hausdorff_distance(back, original) < 1e-7  # about a centimetre
    assert set(Grid.objects.current().filter(community__code=COMMUNITY, level=1).values_list("code", flat=True)) \
        == codes_before  # the split's new grid is gone again


@pytest.mark.django_db
def test_department_users_and_other_communities_may_not_edit(client):
    assert logged_in(client, "police").get(f"{API}/draft").status_code == 403
    assert logged_in(client, "community").get(f"/api/v1/adjustments/{OTHER_COMMUNITY}/draft").status_code == 403
