"""Coverage validation and repair preview on the demo town, with problems of known size planted inside the
test transaction (rolled back afterwards)."""
import json
from dataclasses import dataclass
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from rest_framework.test import APIClient

from geogrid.areas.models import Area
from geogrid.buildings.models import Building
from geogrid.coverage.models import SizingRules
from geogrid.coverage.selectors import ProblemKind, Severity, rules_for, validate_coverage
from geogrid.coverage.services import propose_repair
from geogrid.demo.services import FIRST_COMMUNITY_CODE
from geogrid.demo.town import COUNTY_CODE, STREET_CODE
from geogrid.grids.models import Grid
from tests.helpers import interior_point_of, one

pytestmark = pytest.mark.django_db

CURRENT_GEOM = "(SELECT geom FROM grids_grid WHERE code = %s AND generation_high_id IS NULL)"
GEOMETRIC = {ProblemKind.GAP, ProblemKind.OVERLAP, ProblemKind.OUTSIDE_PARENT, ProblemKind.OUTSIDE_COMMUNITY,
             ProblemKind.BUILDING_CUT, ProblemKind.EXCLUSIVE_OVERLAP}


def execute(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def square(lon: float, lat: float, half_side_m: float) -> GEOSGeometry:
    """An axis-aligned square in metres (EPSG:4545) around a point, in EPSG:4490."""
    wkb = one("SELECT ST_AsBinary(ST_Transform(ST_Expand(ST_Transform(ST_SetSRID(ST_MakePoint(%s, %s), 4490), 4545),"
              " %s), 4490))", [lon, lat, half_side_m])[0]
    return GEOSGeometry(memoryview(wkb), srid=4490)


def area_m2(sql_geom: str, params: list) -> float:
    return one(f"SELECT ST_Area(ST_Transform({sql_geom}, 4545))", params)[0]


def grid_checksum() -> str:
    return one("SELECT md5(string_agg(id || ':' || encode(ST_AsEWKB(geom), 'hex'), ',' ORDER BY id)) "
               "FROM grids_grid")[0]


@dataclass(frozen=True)
class Neighbours:
    """Two comprehensive level-1 grids, the community of `a`, and the middle of their longest shared edge."""

    a: str
    b: str
    community: str
    lon: float
    lat: float

    def square(self, half_side_m: float = 10.0) -> GEOSGeometry:
        return square(self.lon, self.lat, half_side_m)


def longest_shared_edge(condition: str) -> Neighbours:
    """The level-1 grids a, b (meeting `condition`) sharing the longest straight-through edge, and its middle."""
    row = one(f"""
        SELECT a.code, b.code, s.code, ST_X(p), ST_Y(p)
        FROM grids_grid a
        JOIN grids_grid b ON b.level = 1 AND b.generation_high_id IS NULL AND a.code < b.code AND b.geom && a.geom
        JOIN areas_area s ON s.id = a.community_id
        CROSS JOIN LATERAL (SELECT ST_LineMerge(ST_Intersection(a.geom, b.geom)) AS edge) e
        CROSS JOIN LATERAL (SELECT ST_LineInterpolatePoint(e.edge, 0.5) AS p) q
        WHERE a.level = 1 AND a.generation_high_id IS NULL AND a.kind = 'comprehensive' AND b.kind = 'comprehensive'
          AND GeometryType(e.edge) = 'LINESTRING' AND {condition}
        ORDER BY ST_Length(e.edge::geography) DESC, a.code LIMIT 1""")
    return Neighbours(*row)


@pytest.fixture
def neighbours() -> Neighbours:
    """Two urban grids of one community of the demo's first street."""
    return longest_shared_edge("a.community_id = b.community_id AND a.setting = 'urban' AND b.setting = 'urban' "
                               f"AND s.code LIKE '{STREET_CODE[:9]}%%'")


def set_geom(code: str, sql_geom: str, params: list) -> None:
    execute(f"UPDATE grids_grid SET geom = ST_Multi({sql_geom}) WHERE code = %s AND generation_high_id IS NULL",
            [*params, code])


def plant_gap(n: Neighbours) -> float:
    """Cut a 20 m square centred on the shared edge out of grid a; returns the gap's area in m²."""
    cut = n.square()
    expected = area_m2(f"ST_Intersection({CURRENT_GEOM}, ST_GeomFromEWKT(%s))", [n.a, cut.ewkt])
    set_geom(n.a, "ST_Difference(geom, ST_GeomFromEWKT(%s))", [cut.ewkt])
    return expected


def plant_overlap(n: Neighbours) -> float:
    """Grow grid b by a 20 m square centred on the shared edge; returns the overlap with grid a in m²."""
    grow = n.square()
    expected = area_m2(f"ST_Intersection({CURRENT_GEOM}, ST_GeomFromEWKT(%s))", [n.a, grow.ewkt])
    set_geom(n.b, "ST_Union(geom, ST_GeomFromEWKT(%s))", [grow.ewkt])
    return expected


def of_kind(report, kind: ProblemKind) -> list:
    return [p for p in report.problems if p.kind == kind]


# ---- the demo as loaded ----------------------------------------------------------------------------------


def test_demo_street_is_exact_and_reports_only_the_deliberate_size_outliers():
    report = validate_coverage(STREET_CODE)

    assert report.levels == (1, 2, 3)
    assert [p for p in report.problems if p.kind in GEOMETRIC] == []
    assert not report.has_errors
    sizes = {p.grid_codes[0]: p for p in of_kind(report, ProblemKind.SIZE_OUT_OF_RANGE)}
    rules = rules_for(Area.objects.get(code=STREET_CODE))
    settings = dict(Grid.objects.current().filter(code__in=sizes).values_list("code", "setting"))
    assert sorted(settings.values()) == ["rural", "urban"]
    for code, problem in sizes.items():
        assert problem.severity == Severity.WARNING and problem.level == 1
        households = problem.detail["households"]
        assert households == one("SELECT sum(b.households) FROM buildings_building b JOIN grids_grid g "
                                 "ON g.id = b.grid_l1_id WHERE g.code = %s", [code])[0]
        low, high = (getattr(rules, f"{settings[code]}_{end}_households") for end in ("min", "max"))
        assert not low <= households <= high, code  # the generator's deliberate outliers, and only those
        assert problem.geometry.contains(problem.location)
        assert problem.area_m2 == pytest.approx(area_m2(CURRENT_GEOM, [code]))
    assert set(sizes) == (level1_outside("urban", rules.urban_min_households, rules.urban_max_households)
                          | level1_outside("rural", rules.rural_min_households, rules.rural_max_households))


def test_level_filter_and_community_scope():
    crowded = Grid.objects.current().filter(setting="urban").order_by("-household_count").first()
    report = validate_coverage(crowded.community.code, level=1)
    assert report.levels == (1,)
    assert [p.grid_codes for p in report.problems] == [(crowded.code,)]
    assert validate_coverage(STREET_CODE, level=3).problems == ()
    with pytest.raises(ValueError):
        validate_coverage(STREET_CODE, level=4)
    with pytest.raises(Area.DoesNotExist):
        validate_coverage("999999999999")


# ---- planted problems -------------------------------------------------------------------------------------


def test_a_shrunk_grid_leaves_a_gap_of_that_size_at_that_place(neighbours):
    expected = plant_gap(neighbours)
    report = validate_coverage(neighbours.community, level=1)

    [gap] = of_kind(report, ProblemKind.GAP)
    assert gap.severity == Severity.ERROR
    assert gap.grid_codes == (neighbours.a, neighbours.b)
    assert gap.area_m2 == pytest.approx(expected, rel=0.01)
    assert neighbours.square().contains(gap.location)
    assert report.has_errors and [p.kind for p in report.problems if p.kind in GEOMETRIC] == [ProblemKind.GAP]


def test_a_grown_grid_overlaps_exactly_its_neighbour(neighbours):
    expected = plant_overlap(neighbours)
    report = validate_coverage(neighbours.community, level=1)

    [overlap] = of_kind(report, ProblemKind.OVERLAP)
    assert overlap.grid_codes == (neighbours.a, neighbours.b)
    assert overlap.area_m2 == pytest.approx(expected, rel=0.01)
    assert neighbours.square().contains(overlap.location)
    assert [p.kind for p in report.problems if p.kind in GEOMETRIC] == [ProblemKind.OVERLAP]


def test_slivers_by_area_or_mean_width_are_not_errors(neighbours):
    plant_overlap(neighbours)  # 20 m x 10 m: mean width 2 x 200 / 60 = 6.7 m
    rules = SizingRules.objects.create(county=Area.objects.get(code=COUNTY_CODE), sliver_tolerance_m2=1000)

    def severity() -> Severity:
        [overlap] = of_kind(validate_coverage(neighbours.community, level=1), ProblemKind.OVERLAP)
        return overlap.severity

    assert severity() == Severity.SLIVER
    rules.sliver_tolerance_m2, rules.sliver_width_m = 0, 10
    rules.save()
    assert severity() == Severity.SLIVER
    rules.sliver_width_m = 5
    rules.save()
    assert severity() == Severity.ERROR


def allow_overhang() -> None:
    """Lift the database's containment check for this transaction, to plant what it normally refuses."""
    execute("SELECT set_config('geogrid.containment_tolerance_m2', '1e12', true)", [])


def test_a_grid_reaching_into_another_community_is_outside_its_community():
    allow_overhang()
    border = longest_shared_edge("a.community_id <> b.community_id")
    grow = border.square()
    expected = area_m2("ST_Difference(ST_GeomFromEWKT(%s), (SELECT geom FROM areas_area WHERE code = %s))",
                       [grow.ewkt, border.community])
    set_geom(border.a, "ST_Union(geom, ST_GeomFromEWKT(%s))", [grow.ewkt])

    [outside] = of_kind(validate_coverage(border.community, level=1), ProblemKind.OUTSIDE_COMMUNITY)
    assert outside.grid_codes == (border.a,) and outside.severity == Severity.ERROR
    assert outside.area_m2 == pytest.approx(expected, rel=0.01)
    assert grow.contains(outside.location)


def test_a_child_grid_reaching_out_of_its_parent_is_outside_its_parent():
    allow_overhang()
    child, parent, lon, lat = one("""
        SELECT c.code, p.code, ST_X(m), ST_Y(m)
        FROM grids_grid c JOIN grids_grid p ON p.id = c.parent_id
        CROSS JOIN LATERAL (SELECT ST_LineMerge(ST_Intersection(ST_Boundary(c.geom), ST_Boundary(p.geom))) AS edge) e
        CROSS JOIN LATERAL (SELECT ST_LineInterpolatePoint(e.edge, 0.5) AS m) q
        WHERE c.level = 3 AND c.generation_high_id IS NULL AND GeometryType(e.edge) = 'LINESTRING'
        ORDER BY c.code LIMIT 1""")
    grow = square(lon, lat, 2)
    expected = area_m2(f"ST_Difference(ST_GeomFromEWKT(%s), {CURRENT_GEOM})", [grow.ewkt, parent])
    set_geom(child, "ST_Union(geom, ST_GeomFromEWKT(%s))", [grow.ewkt])

    [outside] = of_kind(validate_coverage(STREET_CODE, level=3), ProblemKind.OUTSIDE_PARENT)
    assert outside.grid_codes == (child, parent)
    assert outside.area_m2 == pytest.approx(expected, rel=0.01)


def test_a_building_straddling_two_grids_is_reported_by_name(neighbours):
    footprint = square(neighbours.lon, neighbours.lat, 4)
    building = Building.objects.create(address="测试路跨界楼", households=6, footprint=footprint,
                                       point=footprint.point_on_surface)
    [cut] = of_kind(validate_coverage(neighbours.community, level=1), ProblemKind.BUILDING_CUT)

    assert set(cut.grid_codes) == {neighbours.a, neighbours.b}
    assert cut.detail["building_id"] == building.pk and "测试路跨界楼" in cut.message
    main = cut.grid_codes[0]
    assert cut.area_m2 == pytest.approx(
        area_m2(f"ST_Difference(ST_GeomFromEWKT(%s), {CURRENT_GEOM})", [footprint.ewkt, main]), rel=0.01)
    assert cut.severity == Severity.ERROR and footprint.contains(cut.location)


def test_an_exclusive_grid_on_a_comprehensive_one_is_reported_unless_the_rules_allow_it(neighbours):
    host = Grid.objects.current().get(code=neighbours.a)
    market = Grid.objects.create(code=host.code + "901", name="测试专属网格", kind=Grid.Kind.EXCLUSIVE, level=1,
                                 setting=Grid.Setting.FACILITY, community=host.community,
                                 geom=MultiPolygon(square(*interior_point_of(host.code), 10)),
                                 generation_low=host.generation_low)
    [overlap] = of_kind(validate_coverage(neighbours.community, level=1), ProblemKind.EXCLUSIVE_OVERLAP)
    assert set(overlap.grid_codes) == {host.code, market.code}
    assert overlap.area_m2 == pytest.approx(area_m2(CURRENT_GEOM, [market.code]), rel=0.01)

    SizingRules.objects.create(county=Area.objects.get(code=COUNTY_CODE), exclusive_may_overlap=True)
    report = validate_coverage(neighbours.community, level=1)
    assert of_kind(report, ProblemKind.EXCLUSIVE_OVERLAP) == [] and of_kind(report, ProblemKind.OVERLAP) == []


# ---- rule sets --------------------------------------------------------------------------------------------


def flagged(report) -> set[str]:
    return {p.grid_codes[0] for p in of_kind(report, ProblemKind.SIZE_OUT_OF_RANGE)}


def level1_outside(setting: str, low: int, high: int) -> set[str]:
    grids = Grid.objects.current().in_area(STREET_CODE).filter(level=1, kind=Grid.Kind.COMPREHENSIVE, setting=setting)
    return {g.code for g in grids if not low <= g.household_count <= high}


def test_a_county_rule_set_changes_which_grids_are_flagged():
    county = Area.objects.get(code=COUNTY_CODE)
    default = flagged(validate_coverage(STREET_CODE, level=1))
    rules = SizingRules.objects.create(county=county, urban_min_households=250, urban_max_households=650)
    assert rules_for(Area.objects.get(code=FIRST_COMMUNITY_CODE)) == rules

    local = flagged(validate_coverage(STREET_CODE, level=1))
    assert local == level1_outside("urban", 250, 650) | level1_outside("rural", 100, 300)
    assert local != default

    rules.level1_range_enabled = True
    rules.save()
    seed_004 = flagged(validate_coverage(STREET_CODE, level=1))
    assert seed_004 == level1_outside("urban", 300, 500) | level1_outside("rural", 300, 500)


def test_without_any_stored_rule_set_the_seed_defaults_apply():
    before = flagged(validate_coverage(STREET_CODE))
    SizingRules.objects.all().delete()
    assert rules_for(Area.objects.get(code=STREET_CODE)).pk is None
    assert flagged(validate_coverage(STREET_CODE)) == before


# ---- repair preview ---------------------------------------------------------------------------------------


def test_repair_of_an_overlap_removes_it_and_writes_nothing(neighbours):
    overlap = plant_overlap(neighbours)
    before = grid_checksum()
    preview = propose_repair(area_code=neighbours.community, level=1)

    assert grid_checksum() == before
    assert [p for p in preview.remaining.problems if p.kind in GEOMETRIC] == []
    changed = {g.code: g for g in preview.grids if g.changed}
    assert set(changed) == {neighbours.a, neighbours.b}
    assert sum(g.area_change_m2 for g in changed.values()) == pytest.approx(-overlap, rel=0.01)
    community_m2 = area_m2("(SELECT geom FROM areas_area WHERE code = %s)", [neighbours.community])
    assert sum(g.area_after_m2 for g in preview.grids) == pytest.approx(community_m2, rel=1e-6)


def test_repair_fills_gaps_only_up_to_the_rules_gap_width(neighbours):
    gap = plant_gap(neighbours)
    narrow = propose_repair(area_code=neighbours.community, level=1)
    [remaining] = of_kind(narrow.remaining, ProblemKind.GAP)
    assert remaining.area_m2 == pytest.approx(gap, rel=0.01)

    SizingRules.objects.create(county=Area.objects.get(code=COUNTY_CODE), repair_gap_width_m=50)
    wide = propose_repair(area_code=neighbours.community, level=1)
    assert of_kind(wide.remaining, ProblemKind.GAP) == []
    assert sum(g.area_change_m2 for g in wide.grids) == pytest.approx(gap, rel=0.01)


# ---- API and command --------------------------------------------------------------------------------------


@pytest.fixture
def community_client() -> APIClient:
    client = APIClient()
    client.force_authenticate(User.objects.get(username="community"))
    return client


def test_api_answers_inside_the_users_scope_only(community_client):
    other = Area.objects.communities().exclude(code=FIRST_COMMUNITY_CODE).order_by("code").first()
    assert community_client.get("/api/v1/coverage", {"area": other.code}).status_code == 403
    assert community_client.get("/api/v1/coverage", {"area": STREET_CODE}).status_code == 403
    assert community_client.get("/api/v1/coverage", {"area": "999999999999"}).status_code == 400
    assert community_client.get("/api/v1/coverage", {"area": FIRST_COMMUNITY_CODE, "level": "9"}).status_code == 400
    assert APIClient().get("/api/v1/coverage", {"area": FIRST_COMMUNITY_CODE}).status_code in (401, 403)

    own = community_client.get("/api/v1/coverage", {"area": FIRST_COMMUNITY_CODE, "level": "1"})
    assert own.status_code == 200
    assert own.json()["area"]["code"] == FIRST_COMMUNITY_CODE and own.json()["levels"] == [1]


@pytest.mark.parametrize(("username", "area", "status"), [
    ("police", STREET_CODE, 200), ("police", COUNTY_CODE, 403),
    ("street", COUNTY_CODE, 403), ("admin", COUNTY_CODE, 200),
])
def test_api_scope_of_department_users_and_superusers(username: str, area: str, status: int):
    client = APIClient()
    client.force_authenticate(User.objects.get(username=username))
    assert client.get("/api/v1/coverage", {"area": area, "level": "3"}).status_code == status


def test_api_geojson_and_repair_preview(neighbours):
    plant_overlap(neighbours)
    client = APIClient()
    client.force_authenticate(User.objects.get(username="street"))

    geojson = client.get("/api/v1/coverage", {"area": neighbours.community, "level": "1", "format": "geojson"})
    assert geojson.status_code == 200 and geojson["Content-Type"].startswith("application/geo+json")
    body = json.loads(geojson.content)
    assert body["type"] == "FeatureCollection"
    [feature] = [f for f in body["features"] if f["properties"]["kind"] == "overlap"]
    assert feature["geometry"]["type"] == "Polygon" and "geometry" not in feature["properties"]
    assert feature["properties"]["grid_codes"] == [neighbours.a, neighbours.b]

    repair = client.get("/api/v1/coverage", {"area": neighbours.community, "repair": "1"}).json()
    assert repair["level"] == 1 and repair["changed_grids"] == 2
    assert not any(p["kind"] == "overlap" for p in repair["remaining"])


def run_command(*args: str) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("validate_coverage", *args, stdout=out)
    except CommandError as error:
        return error.returncode, out.getvalue()
    return 0, out.getvalue()


def test_command_exit_status_and_output(neighbours):
    status, text = run_command("--area", STREET_CODE)
    assert status == 0 and "警告/warning 2" in text and "错误/error 0" in text

    plant_overlap(neighbours)
    status, output = run_command("--area", neighbours.community, "--level", "1", "--format", "geojson")
    assert status == 1
    features = json.loads(output)["features"]
    assert [f["properties"]["grid_codes"] for f in features if f["properties"]["kind"] == "overlap"] == [
        [neighbours.a, neighbours.b]]

    status, text = run_command("--area", neighbours.community, "--repair")
    assert status == 0 and neighbours.a in text and "nothing written" in text
    assert run_command("--area", "999999999999")[0] == 2
