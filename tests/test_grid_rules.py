"""Rules the database enforces for grids, versioning, the lookup table and derived counts."""
import pytest
from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.db import IntegrityError, transaction

from geogrid.buildings.models import Building
from geogrid.buildings.services import place_buildings
from geogrid.core.refusals import rule_refusal
from geogrid.core.services import create_generation
from geogrid.grids.models import Grid, GridPart
from geogrid.locate.selectors import grid_refs_at
from tests.helpers import interior_point_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def grid() -> Grid:
    return Grid.objects.current().filter(level=1, kind="comprehensive", children__isnull=True).order_by("code").first()


def new_grid_like(grid: Grid, **changes) -> Grid:
    fields = dict(code=grid.code + "999", name="测试网格", level=1, community=grid.community, geom=grid.geom,
                  generation_low=grid.generation_low, setting=grid.setting)
    fields.update(changes)
    return Grid(**fields)


def test_grid_outside_its_community_is_refused(grid):
    shifted = MultiPolygon([Polygon([(x + 0.05, y) for x, y in poly[0]]) for poly in grid.geom], srid=4490)
    with pytest.raises(IntegrityError, match=f"网格 {grid.code}999 超出所属社区/村 {grid.community.name}") as refused, \
            transaction.atomic():
        new_grid_like(grid, geom=shifted).save()
    assert rule_refusal(refused.value).code == "grid_outside_community"


def test_invalid_geometry_is_refused(grid):
    x, y = grid.geom.point_on_surface.coords
    d = 0.0005
    bowtie = MultiPolygon(Polygon([(x, y), (x + d, y + d), (x + d, y), (x, y + d), (x, y)]), srid=4490)
    with pytest.raises(IntegrityError, match="grid_geom_valid"), transaction.atomic():
        new_grid_like(grid, geom=bowtie).save()


def test_two_current_grids_cannot_share_a_code(grid):
    with pytest.raises(IntegrityError, match="grid_code_unique_current"), transaction.atomic():
        new_grid_like(grid, code=grid.code).save()


def test_level_two_grid_needs_a_parent(grid):
    with pytest.raises(IntegrityError, match="grid_parent_by_level"), transaction.atomic():
        new_grid_like(grid, level=2).save()


def test_a_new_version_keeps_the_old_one_and_lookup_follows_the_current(grid):
    first = grid.generation_low
    lon, lat = interior_point_of(grid.code)
    hole = Point(lon, lat, srid=4490).buffer(0.0003)
    second = create_generation("测试：网格边界调整")
    grid.generation_high = first
    grid.save(update_fields=["generation_high"])
    edited = new_grid_like(grid, code=grid.code, name=grid.name, geom=MultiPolygon(grid.geom.difference(hole)),
                           generation_low=second)
    edited.save()

    assert Grid.objects.current().get(code=grid.code).pk == edited.pk
    assert Grid.objects.at(first).get(code=grid.code).pk == grid.pk
    assert not GridPart.objects.filter(grid=grid).exists()
    assert GridPart.objects.filter(grid=edited).exists()
    found, _ = grid_refs_at(Point(lon, lat, srid=4490))
    assert found == []  # the point now lies in the hole cut by the edit
    edge_x, edge_y = interior_point_of(grid.code)
    assert [g.id for g in grid_refs_at(Point(edge_x, edge_y, srid=4490))[0]] == [edited.pk]


def test_counts_derive_from_buildings(grid):
    before = grid.household_count, grid.population, grid.building_count
    lon, lat = interior_point_of(grid.code)
    building = Building.objects.create(address="测试路1号", households=7, resident_households=5, population=13,
                                       point=Point(lon, lat, srid=4490))
    place_buildings()
    grid.refresh_from_db()
    building.refresh_from_db()
    assert building.grid_l1_id == grid.pk and building.community_id == grid.community_id
    assert (grid.household_count, grid.population, grid.building_count) == (
        before[0] + 7, before[1] + 13, before[2] + 1)


def test_admin_never_overwrites_a_boundary(grid, rf):
    """Boundaries change through versioned edits; the admin shows them without editing tools."""
    from django.contrib.admin.sites import site
    from django.contrib.auth.models import User

    request = rf.get("/")
    request.user = User.objects.get(username="admin")
    grid_admin = site._registry[Grid]
    form = grid_admin.get_form(request, grid, change=True)
    assert form.base_fields["geom"].disabled
    assert {"generation_low", "generation_high"} <= set(grid_admin.get_readonly_fields(request, grid))
    assert not grid_admin.get_form(request, None).base_fields["geom"].disabled
