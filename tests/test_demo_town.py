"""The demo town loaded by tests/conftest.py: facts the map, the point lookup and the demo rely on, asked
from PostGIS (areas in square metres via ::geography)."""
import re
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pgtrigger
import pytest
import rasterio
from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Q, Sum

from geogrid.areas.models import Area
from geogrid.buildings.models import Building
from geogrid.demo.services import DEM_PATH, DEMO_USERS, FIRST_COMMUNITY_CODE, missing_streets
from geogrid.demo.town import (COUNTY_CODE, DEPARTMENTS, ESTATE_UNITS, EVENT_COUNT, EVENT_WINDOW_DAYS,
                               REFERENCE_TIME, STREET2_CODE, STREET2_COMMUNITIES, STREET2_EVENTS, STREET2_POLICE,
                               STREET2_ROADS, STREET_CODE, STREETS, URBAN_COMMUNITIES, VILLAGES)
from geogrid.departments.models import BusinessGrid, Department
from geogrid.events.models import Event, EventCategory, EventTransition, Responsibility
from geogrid.grids.models import Grid
from geogrid.roads.models import Road, Water
from geogrid.staff.models import StaffMember
from geogrid.stations.models import ServiceStation
from tests import demo_facts
from tests.browsing import PASSWORD
from tests.helpers import homes, one

pytestmark = pytest.mark.django_db

CURRENT = "generation_high_id IS NULL"


def rows(sql: str, params: list | None = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchall()


def current_grids(**filters):
    return Grid.objects.current().filter(**filters)


def test_areas_and_grid_counts():
    street = Area.objects.get(code=STREET_CODE)
    assert street.kind == "street" and street.parent.code == COUNTY_CODE
    assert set(Area.objects.streets().values_list("code", flat=True)) == set(STREETS)
    communities = Area.objects.communities().filter(parent=street)
    codes = {kind: set(communities.filter(kind=kind).values_list("code", flat=True))
             for kind in ("community", "village")}
    assert codes == {"community": {code for code, _ in URBAN_COMMUNITIES.values()},
                     "village": {code for code, _ in VILLAGES.values()}}
    # Statistical rule: residents' committees in the low range, village committees from 200.
    assert all(int(c.code[-3:]) < 200 for c in Area.objects.communities().filter(kind="community"))
    assert all(int(c.code[-3:]) >= 200 for c in Area.objects.communities().filter(kind="village"))
    assert 35 <= current_grids(level=1).in_area(STREET_CODE).count() <= 45
    assert current_grids(level=2).count() >= 4
    assert current_grids(level=3).count() > current_grids(level=2).count()


def test_the_second_street_adjoins_the_first_inside_the_county():
    first, second = Area.objects.get(code=STREET_CODE), Area.objects.get(code=STREET2_CODE)
    assert second.parent_id == first.parent_id
    assert sorted(Area.objects.communities().filter(parent=second).values_list("code", "kind")) == [
        (code, "community") for code, _ in STREET2_COMMUNITIES]
    assert current_grids(level=1).in_area(STREET2_CODE).count() == 6
    shared, overlap, outside = one("""
        SELECT ST_Length(ST_Intersection(ST_Boundary(a.geom), ST_Boundary(b.geom))::geography),
               ST_Area(ST_Intersection(a.geom, b.geom)::geography),
               ST_Area(ST_Difference(ST_Union(a.geom, b.geom), c.geom)::geography)
        FROM areas_area a JOIN areas_area c ON c.id = a.parent_id, areas_area b WHERE a.code = %s AND b.code = %s
    """, [STREET_CODE, STREET2_CODE])
    assert shared > 3000 and overlap < 1 and outside == 0


def test_level1_grids_partition_each_community_and_communities_the_street():
    gaps = rows(f"""
        SELECT c.code, ST_Area(ST_SymDifference(c.geom, u.geom)::geography), u.total - ST_Area(u.geom::geography)
        FROM areas_area c CROSS JOIN LATERAL (
            SELECT ST_Union(g.geom) AS geom, sum(ST_Area(g.geom::geography)) AS total FROM grids_grid g
            WHERE g.community_id = c.id AND g.level = 1 AND g.{CURRENT}) u
        WHERE c.kind IN ('community', 'village')
    """)
    assert len(gaps) == len(URBAN_COMMUNITIES) + len(VILLAGES) + len(STREET2_COMMUNITIES)
    for code, mismatch, overlap in gaps:
        assert mismatch < 1 and abs(overlap) < 1, code
    streets = rows("""
        SELECT s.code, ST_Area(ST_SymDifference(s.geom, u.geom)::geography), u.total - ST_Area(u.geom::geography)
        FROM areas_area s CROSS JOIN LATERAL (
            SELECT ST_Union(c.geom) AS geom, sum(ST_Area(c.geom::geography)) AS total FROM areas_area c
            WHERE c.parent_id = s.id AND c.kind IN ('community', 'village')) u
        WHERE s.kind = 'street'
    """)
    assert len(streets) == 2
    for code, mismatch, overlap in streets:
        assert mismatch < 1 and abs(overlap) < 1, code


def test_children_partition_their_parent():
    parents = rows(f"""
        SELECT p.code, ST_Area(ST_SymDifference(p.geom, ST_Union(c.geom))::geography),
               sum(ST_Area(c.geom::geography)) - ST_Area(p.geom::geography)
        FROM grids_grid p JOIN grids_grid c ON c.parent_id = p.id AND c.{CURRENT}
        WHERE p.{CURRENT} GROUP BY p.id
    """)
    assert len(parents) == 1 + current_grids(level=2).count()  # the estate and each of its buildings
    for code, mismatch, overlap in parents:
        assert mismatch < 1 and abs(overlap) < 1, code


def test_neighbouring_grids_share_boundary_vertices_exactly():
    """A vertex of one grid lying on a neighbour (within 1e-7°) is exactly on that neighbour too, so the
    point lookup finds both grids at a shared vertex."""
    off, shared = one(f"""
        WITH v AS (SELECT g.id, g.level, (ST_DumpPoints(g.geom)).geom AS pt FROM grids_grid g WHERE g.{CURRENT})
        SELECT count(*) FILTER (WHERE NOT ST_Covers(h.geom, v.pt)), count(*)
        FROM v JOIN grids_grid h
            ON h.{CURRENT} AND h.level = v.level AND h.id <> v.id AND ST_DWithin(h.geom, v.pt, 1e-7)
    """)
    assert shared > 1000
    assert off == 0


def test_grid_codes_follow_the_default_rule():
    wrong = one(f"""
        SELECT count(*) FROM grids_grid g JOIN areas_area c ON c.id = g.community_id
        LEFT JOIN grids_grid p ON p.id = g.parent_id
        WHERE g.{CURRENT} AND g.code !~ ('^' || coalesce(p.code, c.code) || '[0-9]{{3}}$')
    """)[0]
    assert wrong == 0
    for community in Area.objects.communities():
        codes = sorted(current_grids(community=community, level=1).values_list("code", flat=True))
        assert codes == [f"{community.code}{n:03d}" for n in range(1, len(codes) + 1)]
    named = current_grids(level=1, kind="comprehensive", setting__in=["urban", "rural"]).select_related("community")
    assert all(g.name == f"{g.community.name}第{int(g.code[-3:])}网格" for g in named)


def test_exclusive_grids():
    exclusive = current_grids(kind="exclusive")
    assert sorted(exclusive.values_list("exclusive_type", flat=True)) == ["学校", "市场", "机关"]
    assert all(g.level == 1 and g.setting == "facility" for g in exclusive)
    assert all(g.building_count >= 2 and g.household_count == 0 for g in exclusive)


def test_estate_levels_and_units():
    estate = current_grids(level=1, setting="estate").get()
    assert 300 <= estate.household_count <= 500
    buildings = current_grids(parent=estate)
    assert buildings.count() == len(ESTATE_UNITS) and all(b.level == 2 and b.setting == "estate" for b in buildings)
    units = current_grids(parent__parent=estate)
    assert all(u.level == 3 and u.code[:-3] == u.parent.code for u in units)
    assert all(b.code[:-3] == estate.code for b in buildings)
    for unit in units:
        (building,) = Building.objects.filter(grid_l3=unit)  # one stairwell unit per level-3 grid
        assert building.grid_l2_id == unit.parent_id and building.grid_l1_id == estate.id
        assert re.fullmatch(r"城关街道和平小区\d栋\d单元", building.address)
        assert 24 <= building.households <= 36


def test_every_building_is_placed_and_never_cut_by_a_boundary():
    assert Building.objects.count() >= 2000
    assert not Building.objects.filter(grid_l1__isnull=True).exists()
    assert not Building.objects.filter(community__isnull=True).exists()
    outside = one("""
        SELECT count(*) FROM buildings_building b
        JOIN grids_grid g ON g.id IN (b.grid_l1_id, b.grid_l2_id, b.grid_l3_id)
        WHERE NOT ST_Within(b.footprint, g.geom)
    """)[0]
    assert outside == 0
    touching_other = one(f"""
        SELECT count(*) FROM buildings_building b
        JOIN grids_grid g ON g.{CURRENT} AND ST_Intersects(g.geom, b.footprint)
        WHERE g.id NOT IN (b.grid_l1_id, coalesce(b.grid_l2_id, 0), coalesce(b.grid_l3_id, 0))
    """)[0]
    assert touching_other == 0
    assert not Building.objects.exclude(footprint__isvalid=True).exists()


def test_grid_counts_equal_the_sums_of_their_buildings():
    wrong = one(f"""
        SELECT count(*) FROM grids_grid g CROSS JOIN LATERAL (
            SELECT count(*) AS n, coalesce(sum(households), 0) AS h,
                   coalesce(sum(resident_households), 0) AS r, coalesce(sum(population), 0) AS p
            FROM buildings_building b WHERE g.id IN (b.grid_l1_id, b.grid_l2_id, b.grid_l3_id)) c
        WHERE g.{CURRENT} AND (g.building_count, g.household_count, g.resident_household_count, g.population)
                              <> (c.n, c.h, c.r, c.p)
    """)[0]
    assert wrong == 0
    level1 = current_grids(level=1).aggregate(h=Sum("household_count"))["h"]
    assert level1 == Building.objects.aggregate(h=Sum("households"))["h"]


def test_household_sizing_mostly_follows_the_rules_with_deliberate_outliers():
    urban = list(current_grids(level=1, setting="urban").values_list("household_count", flat=True))
    rural = list(current_grids(level=1, setting="rural").values_list("household_count", flat=True))
    assert sum(200 <= h <= 300 for h in urban) == len(urban) - 1
    assert any(550 <= h <= 650 for h in urban)
    assert sum(100 <= h <= 300 for h in rural) == len(rural) - 1
    assert any(40 <= h <= 80 for h in rural)
    rural_houses = Building.objects.filter(grid_l1__setting="rural")
    assert rural_houses.exclude(households=1).count() == 0
    blocks = Building.objects.filter(grid_l1__setting="urban", use__in=["residential", "mixed"])
    assert blocks.filter(households__gte=20, households__lte=80).count() == blocks.count()
    totals = Building.objects.aggregate(r=Sum("resident_households"), p=Sum("population"))
    assert 2.5 <= totals["p"] / totals["r"] <= 3.2


def test_roads_run_along_every_interior_grid_boundary():
    total, uncovered = one(f"""
        WITH edges AS (
            SELECT ST_Difference(ST_Union(ST_Boundary(g.geom)),
                                 (SELECT ST_Union(ST_Boundary(geom)) FROM areas_area WHERE kind = 'street')) AS geom
            FROM grids_grid g WHERE g.level = 1 AND g.{CURRENT}),
        ways AS (SELECT ST_Union(geom) AS geom FROM (
            SELECT ST_Buffer(geom, 1e-6) AS geom FROM roads_road UNION ALL SELECT geom FROM roads_water) w)
        SELECT ST_Length(edges.geom::geography), ST_Length(ST_Difference(edges.geom, ways.geom)::geography)
        FROM edges, ways
    """)
    assert total > 20_000
    assert uncovered < 1
    kinds = set(Road.objects.values_list("kind", flat=True))
    assert kinds == {"primary", "secondary", "residential", "rural", "path"}
    assert Water.objects.filter(name="八弓河").exists()


def test_staff_serve_their_grids():
    level1 = current_grids(level=1).annotate(
        leaders=Count("staff", filter=Q(staff__role="leader")),
        full_time=Count("staff", filter=Q(staff__role="full_time")),
    )
    for grid in level1:
        assert grid.leaders == 1, grid.code
        if grid.kind == "comprehensive":
            assert grid.full_time == max(1, round(grid.household_count / 100)), grid.code
    pairs = StaffMember.objects.filter(role="full_time").exclude(post="")
    assert set(pairs.values_list("post", flat=True)) == {"A", "B"}
    for community in Area.objects.communities():
        (supervisor,) = StaffMember.objects.filter(role="supervisor", grids__community=community).distinct()
        assert set(supervisor.grids.values_list("id", flat=True)) == set(
            current_grids(community=community, level=1).values_list("id", flat=True))
    department_staff = StaffMember.objects.filter(role="department")
    assert department_staff.count() >= 3 and not department_staff.filter(department__isnull=True).exists()
    assert all(m.grids.count() >= 2 for m in department_staff)
    assert StaffMember.objects.filter(role="household_head").exists()
    assert StaffMember.objects.filter(role="part_time").exists()
    phones = StaffMember.objects.values_list("phone", flat=True)
    assert all(re.fullmatch(r"1[358]\d{9}", p) for p in phones) and len(set(phones)) == len(phones)


def test_service_stations_inside_their_communities():
    stations = ServiceStation.objects.select_related("community")
    assert stations.filter(kind="party_mass_centre").count() == 1
    assert stations.filter(kind="grid_station").count() >= 5
    assert all(s.community.geom.covers(s.point) and s.opening_hours and s.address for s in stations)


def test_events_lie_in_their_lowest_level_grid():
    events = Event.objects.all()
    assert events.count() == EVENT_COUNT + STREET2_EVENTS
    since = REFERENCE_TIME - timedelta(days=EVENT_WINDOW_DAYS)
    assert not events.filter(Q(reported_at__lt=since) | Q(reported_at__gte=REFERENCE_TIME)).exists()
    misplaced = one(f"""
        SELECT count(*) FROM events_event e JOIN grids_grid g ON g.id = e.grid_id
        WHERE NOT g.{CURRENT} OR NOT ST_Contains(g.geom, e.location)
           OR ST_DWithin(ST_Boundary(g.geom)::geography, e.location::geography, 1)
           OR EXISTS (SELECT 1 FROM grids_grid h
                      WHERE h.{CURRENT} AND h.level > g.level AND ST_Covers(h.geom, e.location))
    """)[0]
    assert misplaced == 0
    assert events.filter(grid__level=3).exists()
    urban = events.exclude(grid__setting="rural").count()
    assert urban > 2 * events.filter(grid__setting="rural").count()
    assert events.values("status").distinct().count() >= 6
    assert not events.exclude(category__parent__isnull=False).exists()  # events use leaf categories
    assert EventCategory.objects.filter(parent__isnull=True, name="市容环境", children__name="暴露垃圾").exists()


def test_business_grids_disagree_slightly_with_the_base_grids():
    """Each hand-drawn business grid misses the union of the base grids it was traced from (the base grids
    it holds the most of) by a little: more than nothing, under 10 %."""
    counts = dict(BusinessGrid.objects.current().values_list("department__name").annotate(n=Count("id")))
    plans = (*DEPARTMENTS, STREET2_POLICE)
    assert counts == {plan.name: plan.zones for plan in plans}
    assert set(counts) == {"城关派出所", "城市管理执法中队", "市场监督管理所", "武笔派出所"}
    assert set(BusinessGrid.objects.values_list("source", flat=True)) == {"drawn"}
    misfits = rows(f"""
        WITH shares AS (
            SELECT b.department_id AS dept, b.id AS bid, g.id AS gid, ST_Area(ST_Intersection(b.geom, g.geom)) AS share
            FROM departments_businessgrid b
            JOIN grids_grid g ON g.level = 1 AND g.{CURRENT} AND ST_Intersects(b.geom, g.geom)
            WHERE b.{CURRENT}),
        owner AS (SELECT DISTINCT ON (dept, gid) dept, gid, bid FROM shares JOIN grids_grid g ON g.id = gid
                  WHERE share > 0.5 * ST_Area(g.geom) ORDER BY dept, gid, share DESC)
        SELECT b.code, ST_Area(b.geom::geography), ST_Area(ST_SymDifference(b.geom, ST_Union(g.geom))::geography)
        FROM owner o JOIN departments_businessgrid b ON b.id = o.bid JOIN grids_grid g ON g.id = o.gid
        GROUP BY b.id
    """)
    assert len(misfits) == sum(plan.zones for plan in plans)
    for code, area, misfit in misfits:
        assert 100 < misfit < 0.1 * area, code
    gaps, overlaps = one("""
        SELECT ST_Area(ST_Difference(s.geom, u.geom)::geography), u.total - ST_Area(u.geom::geography)
        FROM areas_area s, (SELECT ST_Union(b.geom) AS geom, sum(ST_Area(b.geom::geography)) AS total
                            FROM departments_businessgrid b JOIN departments_department d ON d.id = b.department_id
                            WHERE d.name = '城关派出所') u
        WHERE s.code = %s
    """, [STREET_CODE])
    assert gaps > 1000 and overlaps > 1000  # the police layer has gaps and overlaps, as drawings do


def test_dem_is_a_tiled_geotiff_with_overviews_over_the_streets():
    with rasterio.open(DEM_PATH) as dem:
        assert dem.crs.to_epsg() == 4490
        assert dem.profile["tiled"] and dem.overviews(1)
        assert abs(dem.res[0] - 1 / 3600) < 1e-9
        for street in Area.objects.streets():
            west, south, east, north = street.geom.extent
            assert dem.bounds.left < west and dem.bounds.bottom < south, street.code
            assert dem.bounds.right > east and dem.bounds.top > north, street.code
        elevation = dem.read(1)
    assert 500 <= elevation.min() and elevation.max() <= 900
    assert elevation.max() - elevation.min() > 250  # hilly


def test_demo_logins():
    users = {u.username: u for u in User.objects.filter(username__in=[d.username for d in DEMO_USERS])}
    for demo in DEMO_USERS:
        user = users[demo.username]
        assert user.is_active and user.is_superuser == demo.superuser and user.is_staff == demo.staff
    for hashed in {u.password for u in users.values()}:  # each distinct hash once: hashing is slow on purpose
        assert check_password(PASSWORD, hashed)
    assert users["street"].scope.area.code == STREET_CODE
    assert users["community"].scope.area.code == FIRST_COMMUNITY_CODE
    assert users["police"].scope.department.name == "城关派出所"
    assert users["street2"].scope.area.code == STREET2_CODE and users["street2"].is_staff
    assert users["police2"].scope.department.name == "武笔派出所"
    assert users["police2"].scope.department.area.code == STREET2_CODE


def test_loading_again_changes_nothing():
    def counts() -> list[int]:
        return [model.objects.count() for model in (Area, Grid, Building, Road, StaffMember, Event, BusinessGrid)]

    before = counts()
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "already loaded" in out.getvalue()
    assert counts() == before


def delete_second_street() -> None:
    """Leave the database as a demo load from before the second street left it."""
    street = Area.objects.get(code=STREET2_CODE)
    events = Event.objects.filter(street=street)
    with pgtrigger.ignore("events.EventTransition:protect_deletes", "events.Event:protect_deletes",
                          "events.EventPhoto:protect_deletes"):
        EventTransition.objects.filter(event__in=events).delete()
        events.delete()
    departments = Department.objects.filter(area=street)
    Responsibility.objects.filter(Q(area=street) | Q(department__in=departments)).delete()
    StaffMember.objects.filter(Q(grids__community__parent=street) | Q(department__in=departments)).delete()
    BusinessGrid.objects.filter(department__in=departments).delete()
    User.objects.filter(username__in=[d.username for d in DEMO_USERS if d.street_code == STREET2_CODE]).delete()
    departments.delete()
    Building.objects.filter(community__parent=street).delete()
    for level in (3, 2, 1):
        Grid.objects.filter(community__parent=street, level=level).delete()
    Road.objects.filter(name__in=STREET2_ROADS).delete()
    Area.objects.filter(parent=street).delete()
    street.delete()


def test_loading_adds_the_second_street_to_a_database_with_the_first_only():
    def first_street() -> list[tuple]:
        return sorted(Grid.objects.current().in_area(STREET_CODE).values_list("code", "geom", "household_count"),
                      key=lambda g: g[0])

    def counts() -> list[int]:
        return [model.objects.count() for model in (Area, Grid, Building, Road, StaffMember, Event, BusinessGrid)]

    before, grids = counts(), first_street()
    delete_second_street()
    assert missing_streets() == [STREET2_CODE] and counts() != before
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "demo town loaded" in out.getvalue() and "street2" in out.getvalue() and "police2" in out.getvalue()
    assert counts() == before and first_street() == grids
    assert User.objects.get(username="police2").scope.department.code == STREET2_POLICE.code


def test_loading_again_drops_an_earlier_demos_default_routing_rows_only():
    """An earlier demo routed every street through rows without an area to the first street's units."""
    street = Area.objects.get(code=STREET_CODE)
    old = Responsibility.objects.get(area=street, category__code="07")
    old_default = Responsibility.objects.create(category=old.category, area=None, department=old.department,
                                                note=old.note)
    own = Responsibility.objects.create(category=EventCategory.objects.get(code="0703"), area=None,
                                        department=old.department, note="本地设置")
    call_command("load_demo", stdout=StringIO())
    assert not Responsibility.objects.filter(pk=old_default.pk).exists()
    assert Responsibility.objects.filter(pk=own.pk).exists()


def demo_figures() -> dict[str, object]:
    """The figures of the demo town a test might be tempted to write down: every value in tests/demo_facts.py
    (whole numbers from 100 up, fractions, texts) and the households and buildings of the town, of each
    street and of each community or village, asked from the database (from 500 up: smaller ones are too
    common to tell apart from other numbers)."""
    figures: dict[str, object] = {}

    def add(name: str, value: object, smallest: int) -> None:
        if isinstance(value, tuple):
            for i, item in enumerate(value):
                add(f"{name}[{i}]", item, smallest)
        elif isinstance(value, str) or isinstance(value, float) or (isinstance(value, int) and value >= smallest):
            figures[name] = value

    for name, value in vars(demo_facts).items():
        if name.isupper():
            add(f"demo_facts.{name}", value, 100)
    add("buildings of town", Building.objects.count(), 500)
    areas = [*URBAN_COMMUNITIES.values(), *VILLAGES.values(), *STREET2_COMMUNITIES, *STREETS.items()]
    for code, name in areas:
        add(f"code of {name}", code, 0)
    for plan in (*DEPARTMENTS, STREET2_POLICE):
        add(f"code of {plan.name}", plan.code, 0)
    for scope, code in [("town", None), *Area.objects.filter(kind__in=["street", "community", "village"])
                        .values_list("kind", "code")]:
        for what, value in zip(("households buildings", "households"), homes(code)):
            add(f"{what} of {scope} {code or ''}".strip(), value, 500)
    return figures


def literal(value: object) -> re.Pattern:
    """A figure as a test would write it: 1234, 1_234 or 1,234 (in a text) for a whole number; a code only
    where it is not part of a longer code."""
    if isinstance(value, int):
        digits = f"{value:,}".replace(",", "[,_]?")
        return re.compile(rf"(?<![\w.,]){digits}(?![\w.]|,\d)")
    if isinstance(value, float):
        return re.compile(rf"(?<![\w.]){re.escape(repr(value))}(?!\d)")
    if value[:1].isdigit():  # a code: not inside a longer one
        return re.compile(rf"(?<!\d){re.escape(value)}(?!\d)")
    return re.compile(re.escape(value))


def test_no_test_writes_down_a_figure_of_the_demo_town():
    """Tests compute what they expect from the database or import it from tests/demo_facts.py: a literal
    figure elsewhere would go stale silently when the generator changes, or pass for the wrong reason."""
    figures = demo_figures()
    assert "demo_facts.TIME_COVERED[2]" in figures and "households of town" in figures
    here = Path(__file__).resolve().parent
    found = []
    for path in sorted(here.rglob("*.py")):
        if path.name == "demo_facts.py":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            found += [f"{path.relative_to(here)}:{number}: {name} = {value!r}" for name, value in figures.items()
                      if literal(value).search(line)]
    assert not found, "\n".join(found)
