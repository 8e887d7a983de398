"""Onboarding a street from its own files into a freshly migrated database without the demo town
(`empty_database`, tests/empty_database.py), through the commands the README walkthrough "Onboarding a street
(without the demo)" gives a county GIS clerk: areas (communities without a parent column, their kind set at
import), departments (a file and `create_department`), the street's event defaults, grids, buildings, staff
and users, then locate and scoping; then every file again (create mode refuses every row, update mode changes
nothing: no duplicates), one community's grids replaced from a file and imports undone."""
import csv
import json
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User
from django.contrib.gis.geos import Point
from django.core.management import CommandError, call_command
from django.db import connection

from geogrid.accounts.roles import ROLES
from geogrid.adjustments.models import ChangeRequest
from geogrid.areas.models import Area
from geogrid.buildings.models import Building
from geogrid.departments.models import Department
from geogrid.events.models import EventCategory, Responsibility
from geogrid.grids.models import Grid
from geogrid.grids.selectors import grids_visible_to
from geogrid.imports.models import ImportJob
from geogrid.imports.services import ImportOptions, run_import
from geogrid.locate.selectors import locate
from geogrid.staff.models import StaffMember
from tests.empty_database import EMPTY_SUFFIX
from tests.importing import DATA_TABLES, fingerprint

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_database")]
COUNTY, STREET, WEST, EAST = "330106000000", "330106001000", "330106001001", "330106001002"
CRS = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4490"}}


def box(x0: float, y0: float, x1: float, y1: float) -> dict:
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def geojson(path: Path, features: list[tuple[dict, dict]]) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "crs": CRS, "features": [
        {"type": "Feature", "properties": props, "geometry": geom} for props, geom in features]},
        ensure_ascii=False), encoding="utf-8")
    return path


def table(path: Path, header: list[str], rows: list[list]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows([header, *rows])
    return path


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    return {
        "county_street": geojson(tmp_path / "县街道.geojson", [
            ({"代码": COUNTY, "名称": "西湖区", "类型": "区"}, box(120.0, 30.2, 120.2, 30.4)),
            ({"代码": STREET, "名称": "北山街道", "类型": "街道"}, box(120.0, 30.2, 120.1, 30.3))]),
        "communities": geojson(tmp_path / "社区.geojson", [  # no kind, no parent column
            ({"代码": WEST, "名称": "西社区"}, box(120.0, 30.2, 120.05, 30.3)),
            ({"代码": EAST, "名称": "东社区"}, box(120.05, 30.2, 120.1, 30.3))]),
        # the police station under the default unit's code (street + "-PCS"): load_event_defaults routes to it
        "departments": table(tmp_path / "部门.csv", ["部门代码", "部门名称", "所属区划代码"],
                             [[POLICE, "北山派出所", STREET], ["330106-ZF", "西湖区执法局", COUNTY]]),
        "grids": geojson(tmp_path / "网格.geojson", [
            ({"网格编码": f"{WEST}001", "网格名称": "西社区第1网格", "社区代码": WEST}, box(120.0, 30.2, 120.05, 30.3)),
            ({"网格编码": f"{EAST}001", "网格名称": "东社区第1网格", "社区代码": EAST}, box(120.05, 30.2, 120.1, 30.25)),
            ({"网格编码": f"{EAST}002", "网格名称": "东社区第2网格", "社区代码": EAST}, box(120.05, 30.25, 120.1, 30.3))]),
        "buildings": geojson(tmp_path / "楼栋.geojson", [
            ({"地址": "东社区1号楼", "户数": 40}, {"type": "Point", "coordinates": [120.07, 30.22]}),
            ({"地址": "东社区2号楼", "户数": 60}, {"type": "Point", "coordinates": [120.07, 30.28]}),
            ({"地址": "西社区1号楼", "户数": 30}, {"type": "Point", "coordinates": [120.02, 30.25]})]),
        "staff": table(tmp_path / "人员.csv", ["姓名", "角色", "电话", "网格编码"],
                       [["张伟", "网格长", "13800000001", f"{EAST}001"], ["李娜", "专职网格员", "13800000002",
                                                                          f"{EAST}001,{EAST}002"]]),
    }


POLICE, ENFORCEMENT = "330106001-PCS", "330106001-CGZF"
# Each file with its target and options, in the order a street imports them.
IMPORTS = [("county_street", "areas", []), ("communities", "areas", ["--set", "kind=社区"]),
           ("departments", "departments", []), ("grids", "grids", []), ("buildings", "buildings", []),
           ("staff", "staff", [])]
# What the files, create_department and load_event_defaults give the street (the 10 default units, two of
# them the street's own) and what migrations gave before it.
ONBOARDED = {"areas_area": 4, "grids_grid": 3, "buildings_building": 3, "staff_staffmember": 2,
             "staff_staffmember_grids": 3, "departments_department": 11, "auth_user": 2}
COUNTED = (*DATA_TABLES, "departments_department", "auth_user", "events_eventcategory", "events_responsibility",
           "adjustments_changerequest", "imports_importjob")


def import_file(path: Path, target: str, *options: str) -> ImportJob:
    call_command("import_data", path, "--target", target, *options, verbosity=0)
    return ImportJob.objects.latest("pk")


def onboard(files: dict[str, Path]) -> None:
    """The walkthrough's steps 1-4, each the command the README gives."""
    for name, target, options in IMPORTS:
        import_file(files[name], target, *options)
        if target == "departments":
            call_command("create_department", "--code", ENFORCEMENT, "--name", "北山街道城管执法中队", "--area", STREET,
                         stdout=StringIO())
            call_command("load_event_defaults", STREET, stdout=StringIO())
    call_command("create_user", "beishan", "--role", "street", "--area", STREET, stdout=StringIO())
    call_command("create_user", "dongshequ", "--role", "community", "--area", EAST, stdout=StringIO())


def table_rows() -> dict[str, int]:
    with connection.cursor() as cursor:
        found = {}
        for name in COUNTED:
            cursor.execute(f"SELECT count(*) FROM {name}")
            found[name] = cursor.fetchone()[0]
    return found


def rows_in(path: Path) -> int:
    if path.suffix == ".geojson":
        return len(json.loads(path.read_text(encoding="utf-8"))["features"])
    return len(path.read_text(encoding="utf-8").splitlines()) - 1  # a CSV's header


def current_codes() -> set[str]:
    return set(Grid.objects.current().filter(community__code__startswith=STREET[:9]).values_list("code", flat=True))


def test_migrations_alone_give_the_roles_and_no_street():
    """The database these tests run in: migrated, without the demo (this fails if the demo leaks in)."""
    assert connection.settings_dict["NAME"].endswith(EMPTY_SUFFIX)
    assert {t: n for t, n in table_rows().items() if n} == {}
    for model in (Area, Grid, Building, Department, StaffMember, User, EventCategory, Responsibility, ChangeRequest):
        assert not model.objects.exists(), model.__name__
    roles = {role.group: sorted(p.codename for p in Group.objects.get(name=role.group).permissions.all())
             for role in ROLES.values()}  # the role groups come with the migrations, each with its permissions
    assert {group: len(codes) for group, codes in roles.items()} == {
        role.group: sum(map(len, role.permissions.values())) for role in ROLES.values()}


def test_a_street_onboards_from_its_own_files(files):
    onboard(files)
    assert {t: n for t, n in table_rows().items() if t in ONBOARDED} == ONBOARDED
    assert Area.objects.get(code=EAST).parent.code == STREET  # inferred from the 12-digit code
    assert Area.objects.get(code=STREET).parent.code == COUNTY
    assert dict(Department.objects.filter(code__in=[POLICE, "330106-ZF", ENFORCEMENT]).values_list("code", "tier")) == {
        POLICE: "town", "330106-ZF": "district", ENFORCEMENT: "town"}
    # the street's 归口办理 rows route to the departments it imported and created, not to new default ones
    routed = dict(Responsibility.objects.filter(area__code=STREET, category__code__in=["07", "01"])
                  .values_list("category__code", "department__name"))
    assert routed == {"07": "北山派出所", "01": "北山街道城管执法中队"}
    assert StaffMember.objects.filter(name__in=["张伟", "李娜"]).count() == 2

    location = locate(Point(120.07, 30.28, srid=4490))
    assert [g.code for g in location.grids] == [f"{EAST}002"] and location.street.code == STREET
    assert location.grids[0].household_count == 60
    assert {s.name for s in location.staff} == {"李娜"}
    street, community = User.objects.get(username="beishan"), User.objects.get(username="dongshequ")
    assert list(street.groups.values_list("name", flat=True)) == [ROLES["street"].group]
    assert set(grids_visible_to(street).values_list("code", flat=True)) == {f"{WEST}001", f"{EAST}001", f"{EAST}002"}
    assert set(grids_visible_to(community).values_list("code", flat=True)) == {f"{EAST}001", f"{EAST}002"}


def test_reimporting_every_file_replacing_a_community_and_undoing(files, tmp_path):
    onboard(files)
    before, data = table_rows(), fingerprint()
    for name, target, options in IMPORTS:  # every file again as first imported: every row refused, nothing written
        with pytest.raises(CommandError):
            import_file(files[name], target, *options)
        job = ImportJob.objects.latest("pk")
        assert job.status == ImportJob.Status.FAILED and job.counts["errors"] == rows_in(files[name]), name
        assert {e["code"] for e in job.report["errors"]} == {"duplicate_key"}, (name, job.report["errors"])
    for name, target, options in IMPORTS:  # and in update mode: nothing new, nothing changed
        job = import_file(files[name], target, "--mode", "update", *options)
        assert (job.status, job.counts["created"], job.counts["updated"], job.counts["ended"],
                job.counts["unchanged"]) == (ImportJob.Status.SUCCEEDED, 0, 0, 0, rows_in(files[name])), (name, job.counts)
    logged = {"imports_importjob": before["imports_importjob"] + 2 * len(IMPORTS)}  # every attempt is logged
    assert table_rows() == {**before, **logged, "core_generation": before["core_generation"] + 1}  # the grid update's
    assert {t: v for t, v in fingerprint().items() if t != "core_generation"} == \
        {t: v for t, v in data.items() if t != "core_generation"}

    # 东社区 merges its two grids: the file names only 001, now the whole community
    one = geojson(tmp_path / "东社区网格.geojson", [
        ({"网格编码": f"{EAST}001", "网格名称": "东社区网格", "社区代码": EAST}, box(120.05, 30.2, 120.1, 30.3))])
    replace = import_file(one, "grids", "--mode", "replace")
    assert (replace.counts["created"], replace.counts["updated"], replace.counts["ended"]) == (0, 1, 1)
    assert current_codes() == {f"{WEST}001", f"{EAST}001"}
    merged = Grid.objects.current().get(code=f"{EAST}001")
    assert sorted(m.name for m in merged.staff.all()) == ["张伟", "李娜"] and merged.household_count == 100
    assert Grid.objects.current().get(code=f"{WEST}001").generation_low_id != replace.generation_id  # untouched
    assert Grid.objects.get(code=f"{EAST}002").generation_high_id is not None  # ended, kept in history

    # a new grid worker's file, then taken back: the row is gone
    newcomer = table(tmp_path / "新人员.csv", ["姓名", "角色", "电话", "网格编码"], [["王芳", "兼职网格员", "13800000003",
                                                                                f"{EAST}001"]])
    staff_job = import_file(newcomer, "staff")
    assert StaffMember.objects.filter(phone="13800000003").exists()
    call_command("import_data", "--undo", str(staff_job.pk), stdout=StringIO())
    assert not StaffMember.objects.filter(phone="13800000003").exists()

    # the replace taken back: 东社区 has its two grids again, each with its staff and households
    call_command("import_data", "--undo", str(replace.pk), stdout=StringIO())
    assert current_codes() == {f"{WEST}001", f"{EAST}001", f"{EAST}002"}
    restored = {g.code: g for g in Grid.objects.current().filter(community__code=EAST)}
    assert sorted(m.name for m in restored[f"{EAST}001"].staff.all()) == ["张伟", "李娜"]
    assert [m.name for m in restored[f"{EAST}002"].staff.all()] == ["李娜"]
    assert (restored[f"{EAST}001"].household_count, restored[f"{EAST}002"].household_count) == (40, 60)
    versioned = ("grids_", "core_", "staff_staffmember_grids", "imports_")  # grid versions stay in history
    assert {t: n for t, n in table_rows().items() if not t.startswith(versioned)} == \
        {t: n for t, n in before.items() if not t.startswith(versioned)}


def test_a_community_without_a_kind_is_refused_as_required(files):
    call_command("import_data", files["county_street"], "--target", "areas", verbosity=0)
    result = run_import(files["communities"], ImportOptions(target="areas"))
    assert result.errors and not [e for e in result.errors if e.code == "unknown_parent"]


def test_a_row_with_an_empty_required_field_says_required(tmp_path):
    path = geojson(tmp_path / "a.geojson", [({"代码": WEST, "名称": "", "类型": "社区"}, box(120.0, 30.2, 120.05, 30.3))])
    result = run_import(path, ImportOptions(target="areas"))
    assert [e.code for e in result.errors] == ["required"]


def test_a_community_whose_street_is_missing_names_the_inferred_parent(files):
    result = run_import(files["communities"], ImportOptions(target="areas", constants={"kind": "社区"}))
    assert {e.code for e in result.errors} == {"unknown_parent"}
    assert STREET in result.errors[0].message


def test_set_needs_field_equals_value(files):
    with pytest.raises(CommandError, match="字段=值"):
        call_command("import_data", files["communities"], "--target", "areas", "--set", "kind")
