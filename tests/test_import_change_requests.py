"""A community's grid layer replaced from a file by a user who is not the street's grid centre: one change
request, left pending; the centre approves it on the approval page (API) and only then the grids change, staff
following as for an edit; a rejection leaves everything as it was; another street never sees it (§2)."""
import pytest
import shapely
from django.contrib.auth.models import User
from django.test import Client

from geogrid.accounts.services import create_user
from geogrid.adjustments.models import ChangeRequest
from geogrid.grids.models import Grid
from geogrid.imports.models import ImportJob
from geogrid.imports.services import ImportOptions, run_import
from geogrid.imports.tasks import import_uploaded_file
from tests.importing import fingerprint
from tests.test_import_modes import EAST, NORTH, WEST, grids_file, halves  # noqa: F401 (fixture)
from tests.test_imports import EAST_HALF, VILLAGE, WEST_HALF, X0, Y0, village  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

API = "/api/v1/adjustments/requests"
# The village's new layer: a south grid keeping the west grid's code, a new north grid; the east grid goes.
SOUTH, NORTH_PART = shapely.box(X0, Y0, X0 + 1000, Y0 + 400), shapely.box(X0, Y0 + 400, X0 + 1000, Y0 + 1000)


@pytest.fixture
def clerk(halves) -> User:
    """The village's community clerk (社区网格管理员): may propose grid changes, not approve them."""
    return create_user(username="village-clerk", role="community", area_code=VILLAGE, password="x" * 16)


def client_of(user: User | str) -> Client:
    client = Client()
    client.force_login(user if isinstance(user, User) else User.objects.get(username=user))
    return client


def village_codes() -> set[str]:
    return set(Grid.objects.current().filter(community__code=VILLAGE).values_list("code", flat=True))


def staff_of(code: str) -> list[str]:
    return sorted(m.name for m in Grid.objects.current().get(code=code).staff.all())


def submitted(tmp_path, user: User, name: str = "north_south") -> ImportJob:
    path = grids_file(tmp_path, name, [SOUTH, NORTH_PART], [WEST, NORTH])
    result = run_import(path, ImportOptions(target="grids", mode="replace"), user=user)
    assert result.ok, result.errors
    return result.job


def decide(user: str, request: ChangeRequest, approve: bool):
    return client_of(user).post(f"{API}/{request.pk}/decision", {"approve": approve, "note": "测试"},
                                content_type="application/json")


def test_a_community_users_replace_is_one_pending_change_request_and_changes_nothing(tmp_path, clerk):
    before = fingerprint()
    job = submitted(tmp_path, clerk)
    assert job.status == ImportJob.Status.SUBMITTED and job.generation_id is None
    request = job.change_request
    assert list(ChangeRequest.objects.filter(community__code=VILLAGE)) == [request]
    assert (request.status, request.created_by, request.level) == (ChangeRequest.Status.PENDING, clerk, 1)
    assert (request.changed, request.removed) == ([WEST, NORTH], [EAST])
    assert f"导入记录 #{job.pk}" in request.reason
    assert {f["properties"]["code"] for f in request.proposal["features"]} == {WEST, NORTH}
    assert {k: job.counts[k] for k in ("created", "updated", "ended", "would_create", "would_update", "would_end",
                                       "unchanged")} == {"created": 0, "updated": 0, "ended": 0, "would_create": 1,
                                                         "would_update": 1, "would_end": 1, "unchanged": 0}
    assert any(f"调整申请 #{request.pk}" in note for note in job.report["notes"])
    assert fingerprint() == before  # no grid, generation or staff link written
    assert village_codes() == {WEST, EAST}

    page = client_of(clerk).get(f"/imports/{job.pk}").content.decode()
    assert f'href="/adjustments/?request={request.pk}"' in page and f"已提交调整申请 #{request.pk}" in page
    assert 'data-count="would_create">批准后新增 <strong>1</strong>' in page and "job-undo-button" not in page
    api = client_of(clerk).get(f"/api/v1/imports/{job.pk}").json()
    assert (api["status"], api["change_request"], api["undoable"]) == ("submitted", request.pk, False)


def test_the_centre_approves_it_and_the_grids_change_with_their_staff(tmp_path, clerk):
    request = submitted(tmp_path, clerk).change_request
    shown = client_of("street").get(f"{API}/{request.pk}").json()  # the approval page's data, before approving
    effects = {e["code"]: e for e in shown["effects"]}
    assert {c: e["status"] for c, e in effects.items()} == {WEST: "changed", NORTH: "new", EAST: "removed"}
    assert [p["name"] for p in effects[NORTH]["staff_gained"]] == ["李东"]  # most of the east grid is north now
    assert [(p["name"], p["grid"]) for p in effects[EAST]["staff_lost"]] == [("李东", NORTH)]

    response = decide("street", request, approve=True)
    assert response.status_code == 200, response.content
    request.refresh_from_db()
    assert request.status == ChangeRequest.Status.APPROVED and request.generation_id is not None
    assert village_codes() == {WEST, NORTH}
    assert Grid.objects.current().get(code=NORTH).generation_low_id == request.generation_id
    assert staff_of(WEST) == ["王西"] and staff_of(NORTH) == ["李东"]  # nobody left behind on the ended grid
    south = shapely.from_wkb(bytes(Grid.objects.current().get(code=WEST).geom.transform(4545, clone=True).wkb))
    assert south.area == pytest.approx(SOUTH.area, rel=1e-6)
    job = ImportJob.objects.get(change_request=request)
    page = client_of(job.user).get(f"/imports/{job.pk}").content.decode()
    assert f"已提交调整申请 #{request.pk}（已批准）" in page


def test_a_rejected_request_leaves_everything_as_it_was(tmp_path, clerk):
    before = fingerprint()
    request = submitted(tmp_path, clerk).change_request
    assert decide("street", request, approve=False).status_code == 200
    request.refresh_from_db()
    assert request.status == ChangeRequest.Status.REJECTED and request.generation_id is None
    assert fingerprint() == before
    assert village_codes() == {WEST, EAST} and staff_of(EAST) == ["李东"]


def test_another_street_cannot_see_or_decide_it_nor_can_its_author_approve(tmp_path, clerk):
    request = submitted(tmp_path, clerk).change_request
    other = client_of("street2")
    assert other.get(f"{API}/{request.pk}").status_code == 404
    assert request.pk not in [r["id"] for r in other.get(API).json()["requests"]]
    assert decide("street2", request, approve=True).status_code == 404
    assert client_of(clerk).post(f"{API}/{request.pk}/decision", {"approve": True},
                                 content_type="application/json").status_code == 403
    request.refresh_from_db()
    assert request.status == ChangeRequest.Status.PENDING and village_codes() == {WEST, EAST}


def test_a_second_replace_while_one_is_pending_is_refused_as_a_conflict(tmp_path, clerk):
    first = submitted(tmp_path, clerk).change_request
    path = grids_file(tmp_path, "again", [SOUTH, NORTH_PART], [WEST, NORTH])
    result = run_import(path, ImportOptions(target="grids", mode="replace"), user=clerk)
    assert [e.code for e in result.errors] == ["conflict"] and f"#{first.pk}" in result.errors[0].message
    assert result.job.status == ImportJob.Status.FAILED and result.job.change_request_id is None
    assert ChangeRequest.objects.filter(community__code=VILLAGE).count() == 1


def test_a_dry_run_or_the_same_layer_submits_nothing(tmp_path, clerk):
    path = grids_file(tmp_path, "north_south", [SOUTH, NORTH_PART], [WEST, NORTH])
    dry = run_import(path, ImportOptions(target="grids", mode="replace", dry_run=True), user=clerk)
    assert dry.ok and dry.job.status == ImportJob.Status.CHECKED and dry.job.counts["would_create"] == 1
    same = grids_file(tmp_path, "same", [WEST_HALF, EAST_HALF], [WEST, EAST], ["网格001", "网格002"])
    unchanged = run_import(same, ImportOptions(target="grids", mode="replace"), user=clerk)
    assert unchanged.ok and unchanged.job.status == ImportJob.Status.SUCCEEDED
    assert unchanged.job.counts["unchanged"] == 2 and unchanged.job.change_request_id is None
    assert not ChangeRequest.objects.filter(community__code=VILLAGE).exists()


def test_a_community_user_may_not_create_or_update_grids_nor_import_other_data(tmp_path, clerk):
    path = grids_file(tmp_path, "north_south", [SOUTH, NORTH_PART], [WEST, NORTH])
    for mode, code in (("create", "no_permission"), ("update", "needs_approval")):
        result = run_import(path, ImportOptions(target="grids", mode=mode), user=clerk)
        assert [e.code for e in result.errors] == [code], mode
    staff = tmp_path / "staff.csv"
    staff.write_text(f"姓名,角色,网格编码\n赵北,网格长,{WEST}\n", encoding="utf-8")
    assert [e.code for e in run_import(staff, ImportOptions(target="staff"), user=clerk).errors] == ["no_permission"]
    assert village_codes() == {WEST, EAST}


def test_the_centre_still_replaces_directly(tmp_path, halves):
    job = submitted(tmp_path, User.objects.get(username="street"))
    assert job.status == ImportJob.Status.SUCCEEDED and job.change_request_id is None
    assert village_codes() == {WEST, NORTH}


def test_the_upload_page_offers_a_community_user_the_grids_and_submits_the_request(tmp_path, clerk, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    client = client_of(clerk)
    form = client.get("/imports/new").content.decode()
    assert '<option value="grids"' in form and '<option value="buildings"' not in form
    path = grids_file(tmp_path, "north_south", [SOUTH, NORTH_PART], [WEST, NORTH])
    with open(path, "rb") as upload:
        response = client.post("/imports/new", {"file": upload, "target": "grids", "mode": "replace"})
    assert response.status_code == 302, response.content.decode()[:2000]
    job = ImportJob.objects.get(user=clerk)
    import_uploaded_file.call(job_id=job.pk, path=str(settings.MEDIA_ROOT / "imports" / str(job.pk) / path.name))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUBMITTED and job.change_request.status == ChangeRequest.Status.PENDING
    assert village_codes() == {WEST, EAST}
