"""Nothing is lost across edits: approving a merge, a split or a restore carries staff, child grids and
business-grid links to the grids written, and the request shows what each grid gains and loses beforehand."""
import pytest

from geogrid.adjustments.models import ChangeRequest
from geogrid.core.models import Generation
from geogrid.departments.models import BusinessGrid, Department
from geogrid.grids.models import Grid
from geogrid.staff.models import StaffMember
from tests.test_adjustments import API, COMMUNITY, approve, draft_and_split, logged_in

KEEP, ABSORBED = f"{COMMUNITY}003", f"{COMMUNITY}002"  # neighbours; 002 holds the level-2 grids


def current(code: str) -> Grid:
    return Grid.objects.current().get(code=code)


def staff_of(code: str) -> set[int]:
    return set(current(code).staff.values_list("pk", flat=True))


def aligned_business_grid(*codes: str) -> BusinessGrid:
    """A business grid aligned to these base grids (多网合一: held as its base grids)."""
    grids = [current(c) for c in codes]
    business = BusinessGrid.objects.create(
        department=Department.objects.order_by("pk").first(), code="TEST-1", name="测试业务网格",
        source=BusinessGrid.Source.BASE_UNITS, geom=grids[0].geom, generation_low=Generation.objects.latest("pk"))
    business.base_grids.set(grids)
    return business


def covered_by(business: BusinessGrid) -> set[str]:
    row = BusinessGrid.objects.current().get(department=business.department, code=business.code)
    return set(row.base_grids.values_list("code", flat=True))


def submit_merge(client) -> int:
    loaded = client.get(f"{API}/draft").json()
    merged = client.post(f"{API}/operations", {"draft": loaded["draft"], "operation": {
        "op": "merge", "grids": [KEEP, ABSORBED]}}, content_type="application/json").json()
    response = client.post(f"{API}/requests", {"draft": merged["draft"], "base": loaded["base"],
                                               "reason": "户数过少，合并网格"}, content_type="application/json")
    assert response.status_code == 201, response.content
    return response.json()["id"]


def effects(client, request_id: int) -> dict[str, dict]:
    body = client.get(f"/api/v1/adjustments/requests/{request_id}").json()
    return {e["code"]: e for e in body["effects"]}


@pytest.mark.django_db
def test_a_merge_keeps_the_absorbed_grids_staff_children_and_business_links_and_a_restore_brings_them_back(client):
    before_merge = Generation.objects.latest("pk")
    kept_staff, absorbed_staff = staff_of(KEEP), staff_of(ABSORBED)
    children = set(Grid.objects.current().filter(parent=current(ABSORBED)).values_list("code", flat=True))
    households = current(KEEP).household_count + current(ABSORBED).household_count
    business = aligned_business_grid(ABSORBED)
    moving = absorbed_staff - kept_staff  # some department staff serve both already
    assert moving and children

    request_id = submit_merge(logged_in(client, "community"))
    street = logged_in(client, "street")
    shown = effects(street, request_id)  # the approval page's preview, before anything is written
    names = set(StaffMember.objects.filter(pk__in=moving).values_list("name", flat=True))
    assert {p["name"] for p in shown[KEEP]["staff_gained"]} == names
    assert {p["grid"] for p in shown[KEEP]["staff_gained"]} == {ABSORBED}
    lost = shown[ABSORBED]["staff_lost"]  # everyone leaves the removed grid, all of them to the merged one
    assert len(lost) == len(absorbed_staff) and {p["grid"] for p in lost} == {KEEP}
    assert shown[ABSORBED]["status"] == "removed"
    assert shown[KEEP]["households_after"] == households
    assert set(shown[KEEP]["children_in"]) == children == set(shown[ABSORBED]["children_out"])
    assert shown[KEEP]["business_in"] == [f"{business.department.name} 测试业务网格（TEST-1）"]
    assert any("2 名网格长" in v for v in shown[KEEP]["violations"])  # roles kept: the clerk picks one
    assert any("重新对齐" in v for v in shown[KEEP]["violations"])

    approve(street, request_id)
    merged = current(KEEP)
    assert staff_of(KEEP) == kept_staff | absorbed_staff
    assert not Grid.objects.current().filter(code=ABSORBED).exists()
    assert set(Grid.objects.current().filter(parent=merged).values_list("code", flat=True)) == children
    assert covered_by(business) == {KEEP}
    assert StaffMember.objects.filter(pk__in=moving, role=StaffMember.Role.LEADER).count() == 1  # not demoted
    recorded = ChangeRequest.objects.get(pk=request_id).carryover
    assert {e["code"] for e in recorded["effects"]} == {KEEP, ABSORBED}

    restore = logged_in(client, "community").post(f"{API}/restore", {"generation": before_merge.pk,
                                                                      "reason": "撤销合并"},
                                                  content_type="application/json")
    assert restore.status_code == 201, restore.content
    street = logged_in(client, "street")
    shown = effects(street, restore.json()["id"])
    assert len(shown[ABSORBED]["staff_gained"]) == len(absorbed_staff)  # the grid comes back with its people
    assert {p["name"] for p in shown[KEEP]["staff_lost"]} == names
    approve(street, restore.json()["id"])
    assert staff_of(KEEP) == kept_staff and staff_of(ABSORBED) == absorbed_staff
    assert set(Grid.objects.current().filter(parent=current(ABSORBED)).values_list("code", flat=True)) == children
    assert covered_by(business) == {ABSORBED}  # its membership in the restored version


@pytest.mark.django_db
def test_a_split_keeps_the_staff_on_the_part_with_the_code_and_flags_the_new_part_without_workers(client):
    code = f"{COMMUNITY}001"
    staff = staff_of(code)
    business = aligned_business_grid(code)
    loaded, result = draft_and_split(logged_in(client, "community"), code)
    request_id = client.post(f"{API}/requests", {"draft": result["draft"], "base": loaded["base"],
                                                 "reason": "新建小区入住，拆分网格"},
                             content_type="application/json").json()["id"]
    street = logged_in(client, "street")
    shown = effects(street, request_id)
    assert shown["新1"]["status"] == "new" and shown["新1"]["staff_gained"] == []
    assert any(v.startswith("无网格员") for v in shown["新1"]["violations"])
    assert not any(v.startswith("无网格员") for v in shown[code]["violations"])
    assert shown[code]["staff_lost"] == [] and shown[code]["staff_gained"] == []
    assert shown[code]["households_after"] + shown["新1"]["households_after"] == shown[code]["households_before"]
    assert not any("重新对齐" in v for e in shown.values() for v in e["violations"])  # same footprint

    approve(street, request_id)
    new = Grid.objects.current().get(generation_low=current(code).generation_low, community__code=COMMUNITY,
                                     level=1, code__gt=f"{COMMUNITY}006")
    assert staff_of(code) == staff and not new.staff.exists()
    assert covered_by(business) == {code, new.code}  # the business grid covers both parts
    recorded = {e["code"]: e for e in ChangeRequest.objects.get(pk=request_id).carryover["effects"]}
    assert recorded[new.code]["status"] == "new"  # recorded under the code approval gave it
