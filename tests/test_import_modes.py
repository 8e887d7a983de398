"""Import modes keyed by code (create, update, replace) and the undo of an import job."""
import pytest
import shapely
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from geogrid.buildings.models import Building
from geogrid.grids.models import Grid
from geogrid.imports.models import ImportedFeature, ImportJob
from geogrid.imports.services import ImportOptions, UndoRefused, run_import, undo_import
from geogrid.staff.models import StaffMember
from tests.importing import fingerprint, write_layer
from tests.test_imports import EAST_HALF, VILLAGE, WEST_HALF, X0, Y0, imported, village  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

WEST, EAST, NORTH = VILLAGE + "001", VILLAGE + "002", VILLAGE + "003"
HOMES = [shapely.box(X0 + 100 + 300 * i, Y0 + 100, X0 + 120 + 300 * i, Y0 + 120) for i in range(3)]  # 2 west, 1 east
ADDRESSES = [f"测试村{i + 1}号" for i in range(3)]


def grids_file(tmp_path, name: str, geometries: list, codes: list[str], names: list[str] | None = None):
    return write_layer(tmp_path / f"{name}.gpkg", geometries,
                       {"code": codes, "name": names or [f"网格{c[-3:]}" for c in codes],
                        "community_code": [VILLAGE] * len(codes)}, crs="EPSG:4545")


def buildings_file(tmp_path, name: str, footprints: list = HOMES, households: list[int] = (40, 60, 80)):
    return write_layer(tmp_path / f"{name}.gpkg", footprints,
                       {"address": ADDRESSES, "households": list(households)}, crs="EPSG:4545")


@pytest.fixture
def halves(tmp_path, village):
    result = imported(grids_file(tmp_path, "halves", [WEST_HALF, EAST_HALF], [WEST, EAST]), "grids")
    assert result.ok, result.errors
    for code, person in ((WEST, "王西"), (EAST, "李东")):
        StaffMember.objects.create(name=person, role=StaffMember.Role.FULL_TIME).grids.add(
            Grid.objects.current().get(code=code))
    return result.job


def households() -> dict[str, int]:
    return dict(Grid.objects.current().filter(code__in=[WEST, EAST, NORTH]).values_list("code", "household_count"))


def test_reimporting_the_same_buildings_never_duplicates(tmp_path, halves):
    path = buildings_file(tmp_path, "homes")
    first = imported(path, "buildings")
    assert first.ok and first.job.counts["created"] == 3
    counts = households()
    assert counts == {WEST: 100, EAST: 80}
    before = fingerprint()

    again = imported(path, "buildings")  # create mode: every stored address is refused, all at once
    assert not again.ok
    assert sorted(e.number for e in again.errors if e.code == "duplicate_key") == [1, 2, 3]
    assert fingerprint() == before

    dry = imported(path, "buildings", mode="update", dry_run=True)
    assert dry.ok and dry.job.status == ImportJob.Status.CHECKED
    assert {k: dry.job.counts[k] for k in ("would_create", "would_update", "unchanged")} == \
        {"would_create": 0, "would_update": 0, "unchanged": 3}
    update = imported(path, "buildings", mode="update")
    assert update.ok and (update.job.counts["created"], update.job.counts["updated"],
                          update.job.counts["unchanged"]) == (0, 0, 3)
    assert Building.objects.filter(address__in=ADDRESSES).count() == 3
    assert households() == counts


def test_update_changes_an_attribute_and_a_geometry_as_new_versions(tmp_path, halves):
    assert imported(buildings_file(tmp_path, "homes"), "buildings").ok
    moved = [*HOMES[:2], shapely.box(X0 + 100, Y0 + 500, X0 + 130, Y0 + 530)]  # the third moves west
    result = imported(buildings_file(tmp_path, "changed", moved, (45, 60, 80)), "buildings", mode="update")
    assert result.ok and (result.job.counts["updated"], result.job.counts["unchanged"]) == (2, 1)
    first, third = (Building.objects.get(address=ADDRESSES[i]) for i in (0, 2))
    assert first.households == 45 and first.audit_trail.count() == 2  # inserted, then updated
    assert third.footprint.extent[0] < first.footprint.extent[2] + 1 and third.audit_trail.count() == 2
    assert households() == {WEST: 185, EAST: 0}  # the moved building counts in its new grid

    west = Grid.objects.current().get(code=WEST)
    renamed = grids_file(tmp_path, "renamed", [shapely.box(X0, Y0, X0 + 600, Y0 + 1000), shapely.box(
        X0 + 600, Y0, X0 + 1000, Y0 + 1000)], [WEST, EAST], ["西网格", "网格002"])
    result = imported(renamed, "grids", mode="update")
    assert result.ok and (result.job.counts["updated"], result.job.counts["unchanged"]) == (2, 0)
    new_west = Grid.objects.current().get(code=WEST)
    west.refresh_from_db()
    assert west.generation_high_id is not None and new_west.generation_low_id == result.job.generation_id
    assert new_west.name == "西网格" and [m.name for m in new_west.staff.all()] == ["王西"]
    assert Grid.objects.filter(code=WEST).count() == 2  # the old version stays in history
    same = imported(renamed, "grids", mode="update")
    assert same.ok and (same.job.counts["updated"], same.job.counts["unchanged"]) == (0, 2)


def test_replace_ends_the_grids_the_file_does_not_name_and_staff_follow_surviving_codes(tmp_path, halves):
    old_east = Grid.objects.current().get(code=EAST)
    layer = [shapely.box(X0, Y0, X0 + 1000, Y0 + 500), shapely.box(X0, Y0 + 500, X0 + 1000, Y0 + 1000)]
    result = imported(grids_file(tmp_path, "north_south", layer, [WEST, NORTH]), "grids", mode="replace")
    assert result.ok, result.errors
    assert (result.job.counts["created"], result.job.counts["updated"], result.job.counts["ended"]) == (1, 1, 1)
    assert set(Grid.objects.current().filter(community__code=VILLAGE).values_list("code", flat=True)) == {WEST, NORTH}
    old_east.refresh_from_db()
    assert old_east.generation_high_id is not None
    assert [m.name for m in Grid.objects.current().get(code=WEST).staff.all()] == ["王西"]
    assert any("李东" in note for note in result.notes)  # the ended code's staff are named


def test_only_the_grid_centre_replaces_grids_directly(tmp_path, halves):
    clerk = User.objects.create_user("import-clerk")
    result = run_import(grids_file(tmp_path, "mine", [WEST_HALF], [WEST]), ImportOptions(target="grids", mode="replace"),
                        user=clerk)
    assert [e.code for e in result.errors] == ["needs_approval"]
    assert set(Grid.objects.current().filter(community__code=VILLAGE).values_list("code", flat=True)) == {WEST, EAST}


def test_undo_takes_an_import_back_and_is_refused_while_a_later_job_depends_on_it(tmp_path, halves):
    before = {g.code: g.geom.wkt for g in Grid.objects.current().filter(community__code=VILLAGE)}
    layer = [shapely.box(X0, Y0, X0 + 1000, Y0 + 500), shapely.box(X0, Y0 + 500, X0 + 1000, Y0 + 1000)]
    replace = imported(grids_file(tmp_path, "north_south", layer, [WEST, NORTH]), "grids", mode="replace").job
    staff = tmp_path / "staff.csv"
    staff.write_text(f"姓名,角色,网格编码\n赵北,网格长,{NORTH}\n", encoding="utf-8")
    staff_job = imported(staff, "staff").job
    assert staff_job.status == ImportJob.Status.SUCCEEDED

    with pytest.raises(UndoRefused) as refused:
        undo_import(job=replace)
    assert refused.value.code == "undo_blocked" and f"#{staff_job.pk}" in refused.value.message
    undo_import(job=staff_job)
    assert not StaffMember.objects.filter(name="赵北").exists()

    undo_import(job=replace)
    replace.refresh_from_db()
    assert replace.status == ImportJob.Status.UNDONE
    current = {g.code: g for g in Grid.objects.current().filter(community__code=VILLAGE)}
    assert set(current) == {WEST, EAST}
    assert all(shapely.equals_exact(shapely.from_wkt(current[c].geom.wkt), shapely.from_wkt(w), 1e-9)
               for c, w in before.items())
    assert [m.name for m in current[EAST].staff.all()] == ["李东"]
    assert [m.name for m in current[WEST].staff.all()] == ["王西"]
    with pytest.raises(UndoRefused) as twice:
        undo_import(job=replace)
    assert twice.value.code == "not_undoable"


def test_undo_of_a_buildings_update_restores_the_previous_values(tmp_path, halves):
    created = imported(buildings_file(tmp_path, "homes"), "buildings").job
    update = imported(buildings_file(tmp_path, "more", households=(41, 60, 80)), "buildings", mode="update").job
    assert ImportedFeature.objects.get(job=update).previous["households"] == 40
    with pytest.raises(UndoRefused):
        undo_import(job=created)  # the update changed a building it created
    undo_import(job=update)
    assert Building.objects.get(address=ADDRESSES[0]).households == 40 and households()[WEST] == 100
    undo_import(job=created)
    assert not Building.objects.filter(address__in=ADDRESSES).exists() and households() == {WEST: 0, EAST: 0}


def test_command_modes_and_undo(tmp_path, halves, capsys):
    path = buildings_file(tmp_path, "homes")
    call_command("import_data", str(path), "--target", "buildings", verbosity=0)
    with pytest.raises(CommandError, match="数据库未作任何改动"):
        call_command("import_data", str(path), "--target", "buildings", verbosity=0)
    assert capsys.readouterr().err.count("duplicate_key") == 3
    call_command("import_data", str(path), "--target", "buildings", "--mode", "update", verbosity=0)
    assert "未变 3" in capsys.readouterr().out
    with pytest.raises(CommandError, match="数据库未作任何改动"):
        call_command("import_data", str(path), "--target", "stations", "--mode", "replace", verbosity=0)
    assert "mode_not_supported" in capsys.readouterr().err
    job = ImportJob.objects.filter(target="buildings", status=ImportJob.Status.SUCCEEDED).order_by("pk").last()
    call_command("import_data", "--undo", str(job.pk))
    assert "已撤销" in capsys.readouterr().out
    with pytest.raises(CommandError, match="not_undoable"):
        call_command("import_data", "--undo", str(job.pk))
