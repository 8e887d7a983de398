"""Every import target has a key: re-importing a file in create mode is refused row by row (`duplicate_key`),
in update mode it changes nothing, and a changed attribute is updated in place (the audit trail keeps the old
value, the undo brings it back). Staff match by phone (by name and grid without one), stations by name within
their community, areas and departments by code."""
import csv
from pathlib import Path

import pytest
import shapely
from django.contrib.auth.models import User

from geogrid.areas.models import Area
from geogrid.departments.models import Department
from geogrid.grids.models import Grid
from geogrid.demo.town import STREET2_CODE
from geogrid.imports.services import ImportOptions, run_import, undo_import
from geogrid.staff.models import StaffMember
from geogrid.stations.models import ServiceStation
from tests.importing import fingerprint, write_layer
from tests.test_imports import STREET, VILLAGE, VILLAGE_SQUARE, WEST_HALF, EAST_HALF, X0, Y0, imported, village  # noqa: F401

pytestmark = pytest.mark.django_db
WEST, EAST = VILLAGE + "001", VILLAGE + "002"


@pytest.fixture
def grids(tmp_path, village):
    path = write_layer(tmp_path / "grids.gpkg", [WEST_HALF, EAST_HALF],
                       {"code": [WEST, EAST], "name": ["西网格", "东网格"], "community_code": [VILLAGE] * 2},
                       crs="EPSG:4545")
    assert imported(path, "grids").ok


def staff_file(tmp_path, rows: list[list[str]], name: str = "staff") -> Path:
    path = tmp_path / f"{name}.csv"
    with open(path, "w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerows([["姓名", "角色", "电话", "网格编码"], *rows])
    return path


def stations_file(tmp_path, hours: str = "8:30-17:30", name: str = "stations"):
    return write_layer(tmp_path / f"{name}.gpkg", [shapely.Point(X0 + 100, Y0 + 100), shapely.Point(X0 + 900, Y0 + 900)],
                       {"name": ["西服务站", "东便民点"], "opening_hours": [hours, "全天"]}, crs="EPSG:4545")


def counts(result) -> tuple[int, int, int]:
    assert result.ok, result.errors
    return result.job.counts["created"], result.job.counts["updated"], result.job.counts["unchanged"]


def refused_rows(result) -> list[int]:
    assert not result.ok
    return sorted(e.number for e in result.errors if e.code == "duplicate_key")


def test_staff_are_keyed_by_phone_and_by_name_and_grid_without_one(tmp_path, grids):
    rows = [["王西", "网格长", "13900000001", WEST], ["李东", "专职网格员", "13900000002", EAST], ["赵无号", "兼职网格员", "", WEST]]
    path = staff_file(tmp_path, rows)
    assert counts(imported(path, "staff")) == (3, 0, 0)
    before = fingerprint()
    assert refused_rows(imported(path, "staff")) == [1, 2, 3]
    assert counts(imported(path, "staff", mode="update")) == (0, 0, 3)
    assert fingerprint() == before

    moved = staff_file(tmp_path, [["王西", "网格长", "13900000001", f"{WEST},{EAST}"], *rows[1:]], "moved")
    update = imported(moved, "staff", mode="update")
    assert counts(update) == (0, 1, 2)
    wang = StaffMember.objects.get(phone="13900000001")
    assert sorted(wang.grids.values_list("code", flat=True)) == [WEST, EAST]
    assert StaffMember.objects.filter(name="王西").count() == 1
    undo_import(job=update.job)
    assert list(wang.grids.values_list("code", flat=True)) == [WEST]


def test_a_phone_matching_two_stored_people_is_ambiguous(tmp_path, grids):
    for name in ("甲", "乙"):
        StaffMember.objects.create(name=name, role=StaffMember.Role.FULL_TIME, phone="13900000009")
    result = imported(staff_file(tmp_path, [["甲", "网格长", "13900000009", WEST]]), "staff", mode="update")
    assert [e.code for e in result.errors] == ["ambiguous_key"]


def test_stations_are_keyed_by_name_within_their_community(tmp_path, village):
    path = stations_file(tmp_path)
    assert counts(imported(path, "stations")) == (2, 0, 0)
    assert refused_rows(imported(path, "stations")) == [1, 2]
    assert counts(imported(path, "stations", mode="update")) == (0, 0, 2)
    assert counts(imported(stations_file(tmp_path, "周一至周五", "later"), "stations", mode="update")) == (0, 1, 1)
    station = ServiceStation.objects.get(name="西服务站", community=village)
    assert station.opening_hours == "周一至周五" and station.audit_trail.count() == 2
    assert ServiceStation.objects.filter(community=village).count() == 2


def test_areas_are_keyed_by_code(tmp_path, village):
    path = write_layer(tmp_path / "renamed.gpkg", [VILLAGE_SQUARE],
                       {"code": [VILLAGE], "name": ["新测试村"], "kind": ["村"], "parent_code": [STREET]}, crs="EPSG:4545")
    assert refused_rows(imported(path, "areas")) == [1]
    update = imported(path, "areas", mode="update")
    assert counts(update) == (0, 1, 0)
    assert Area.objects.get(code=VILLAGE).name == "新测试村" and Area.objects.filter(code=VILLAGE).count() == 1
    assert counts(imported(path, "areas", mode="update")) == (0, 0, 1)
    undo_import(job=update.job)
    assert Area.objects.get(code=VILLAGE).name == "测试村"


def test_departments_are_keyed_by_code(tmp_path, village):
    path = tmp_path / "departments.csv"
    path.write_text(f"部门代码,部门名称,所属区划代码\nT-PS,测试派出所,{STREET}\nT-SF,测试司法所,{STREET}\n", encoding="utf-8")
    assert counts(imported(path, "departments")) == (2, 0, 0)
    assert refused_rows(imported(path, "departments")) == [1, 2]
    assert counts(imported(path, "departments", mode="update")) == (0, 0, 2)
    path.write_text(f"部门代码,部门名称,所属区划代码\nT-PS,测试派出所,{STREET}\nT-SF,测试司法所,{VILLAGE}\n", encoding="utf-8")
    wrong = imported(path, "departments", mode="update")  # a village has no departments: refused like a new one
    assert [e.code for e in wrong.errors] == ["area_kind"]
    path.write_text(f"部门代码,部门名称,所属区划代码\nT-PS,测试派出所,{STREET}\nT-SF,测试村司法所,{STREET}\n", encoding="utf-8")
    assert counts(imported(path, "departments", mode="update")) == (0, 1, 1)
    assert Department.objects.get(code="T-SF").name == "测试村司法所"
    assert Grid.objects.filter(code__startswith=VILLAGE).count() == 0  # nothing else was touched


def test_a_clerk_cannot_take_over_another_streets_department_or_staff_member(tmp_path, grids):
    """Matching by key never reaches outside the clerk's area: the stored row's own area counts too."""
    path = tmp_path / "departments.csv"
    path.write_text(f"部门代码,部门名称,所属区划代码\nT-PS,测试派出所,{STREET}\n", encoding="utf-8")
    assert imported(path, "departments").ok
    assert imported(staff_file(tmp_path, [["王西", "网格长", "13900000001", WEST]]), "staff").ok
    clerk = User.objects.get(username="street2")  # the demo's second street
    path.write_text(f"部门代码,部门名称,所属区划代码\nT-PS,他街派出所,{STREET2_CODE}\n", encoding="utf-8")
    moved = run_import(path, ImportOptions(target="departments", mode="update"), user=clerk)
    assert not moved.ok and moved.errors[0].code == "outside_scope"
    assert Department.objects.get(code="T-PS").area.code == STREET
    other = Grid.objects.current().filter(community__code__startswith=STREET2_CODE[:9]).first()
    taken = run_import(staff_file(tmp_path, [["王西", "网格长", "13900000001", other.code]], "taken"),
                       ImportOptions(target="staff", mode="update"), user=clerk)
    assert not taken.ok and taken.errors[0].code == "outside_scope"
    assert list(StaffMember.objects.get(phone="13900000001").grids.values_list("code", flat=True)) == [WEST]
