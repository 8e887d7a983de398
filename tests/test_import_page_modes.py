"""The import job page and upload list show the mode, the counts and every problem; the undo API (§2)."""
import pytest
import shapely
from django.contrib.auth.models import User
from django.test import Client

from geogrid.buildings.models import Building
from geogrid.imports.models import ImportJob
from geogrid.imports.services import ImportOptions, run_import
from tests.importing import fingerprint
from tests.test_import_modes import ADDRESSES, WEST, EAST, buildings_file, grids_file, halves  # noqa: F401 (fixture)
from tests.test_imports import VILLAGE, X0, Y0, village  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

API = "/api/v1/imports"


def client_of(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def run_for(username: str, path, target: str, **options):
    """An import logged as the user's (their job), run as the command line runs it (the test village lies
    outside the demo streets, so the user's own area would refuse it)."""
    options = ImportOptions(target=target, **options)
    job = ImportJob.objects.create(user=User.objects.get(username=username), file_name=path.name, target=target,
                                   mode=options.mode, options={"dry_run": options.dry_run})
    return run_import(path, options, job=job)


def imported_by(username: str, path, target: str, **options) -> ImportJob:
    result = run_for(username, path, target, **options)
    assert result.ok, result.errors
    return result.job


def test_a_dry_run_shows_what_it_would_write_and_every_overlap_and_gap(tmp_path, village):
    # the west grid reaches 100 m into the east one, which stops 100 m short of the village's east edge
    west, east = shapely.box(X0, Y0, X0 + 600, Y0 + 1000), shapely.box(X0 + 500, Y0, X0 + 900, Y0 + 1000)
    job = imported_by("admin", grids_file(tmp_path, "grids", [west, east], [WEST, EAST]), "grids", dry_run=True)
    assert {w["code"] for w in job.report["warnings"]} == {"overlap", "gap"}
    page = client_of("admin").get(f"/imports/{job.pk}").content.decode()
    assert "试导入通过：将写入 2 条（未写入）" in page and "2 个警告" in page
    assert 'data-count="would_create">将新增 <strong>2</strong>' in page
    assert 'data-count="would_end">将终止 <strong>0</strong>' in page
    assert 'data-count="created"' not in page
    assert "<code>overlap</code>" in page and "<code>gap</code>" in page
    assert f"网格 {WEST} 与 {EAST} 重叠" in page
    assert f"validate_coverage --area {VILLAGE}" in page
    for warning in job.report["warnings"]:  # each at its representative point, in the file's coordinates
        x, y = warning["location"]
        assert f"{x:.6f}, {y:.6f}" in page
    assert "POLYGON" in page  # the pieces themselves
    assert "job-undo-button" not in page  # a dry run wrote nothing to undo


def test_a_failed_import_lists_every_error_with_its_code_and_row(tmp_path, halves):
    path = buildings_file(tmp_path, "homes")
    imported_by("street", path, "buildings")
    result = run_for("street", path, "buildings")
    page = client_of("street").get(f"/imports/{result.job.pk}").content.decode()
    assert "导入失败，数据库未作任何改动（3 个错误）" in page
    assert page.count("<code>duplicate_key</code>") == 3
    assert all(f"楼栋 address {address} 已存在" in page for address in ADDRESSES)


def test_the_upload_list_shows_mode_and_counts(tmp_path, halves):
    imported_by("street", buildings_file(tmp_path, "homes"), "buildings")
    update = imported_by("street", buildings_file(tmp_path, "more", households=(41, 60, 80)), "buildings",
                         mode="update")
    page = client_of("street").get("/imports/new").content.decode()
    row = page[page.index(f"/imports/{update.pk}"):]
    row = row[:row.index("</tr>")]
    assert "更新（有变化的成为新版本，其余新增）" in row
    assert 'data-count="updated">更新 <strong>1</strong>' in row
    assert 'data-count="unchanged">未变 <strong>2</strong>' in row
    assert 'data-count="created">新增 <strong>0</strong>' in row
    detail = client_of("street").get(f"/imports/{update.pk}").content.decode()
    assert "已导入 0 条，更新 1 条" in detail and "job-undo-button" in detail


def test_the_owner_undoes_an_import_from_the_api(tmp_path, halves):
    job = imported_by("street", buildings_file(tmp_path, "homes"), "buildings")
    assert Building.objects.filter(address__in=ADDRESSES).count() == 3
    response = client_of("street").post(f"{API}/{job.pk}/undo", {}, content_type="application/json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "undone" and not response.json()["undoable"]
    assert not Building.objects.filter(address__in=ADDRESSES).exists()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.UNDONE and job.undone_by.username == "street"
    page = client_of("street").get(f"/imports/{job.pk}").content.decode()
    assert "已撤销（" in page and "street" in page and "job-undo-button" not in page

    again = client_of("street").post(f"{API}/{job.pk}/undo", {}, content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "not_undoable"


def test_undo_is_refused_for_the_other_street_and_for_unknown_input(tmp_path, halves):
    job = imported_by("street", buildings_file(tmp_path, "homes"), "buildings")
    before = fingerprint()
    for username in ("street2", "police2"):
        response = client_of(username).post(f"{API}/{job.pk}/undo", {}, content_type="application/json")
        assert response.status_code == 404, username
    odd = client_of("street").post(f"{API}/{job.pk}/undo", {"user": 1}, content_type="application/json")
    assert odd.status_code == 400 and odd.json()["code"] == "unknown_field"
    assert fingerprint() == before
    job.refresh_from_db()
    assert job.status == ImportJob.Status.SUCCEEDED


def test_a_blocked_undo_names_what_depends_on_it_and_changes_nothing(tmp_path, halves):
    created = imported_by("street", buildings_file(tmp_path, "homes"), "buildings")
    update = imported_by("street", buildings_file(tmp_path, "more", households=(41, 60, 80)), "buildings",
                         mode="update")
    before = fingerprint()
    response = client_of("street").post(f"{API}/{created.pk}/undo", {}, content_type="application/json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "undo_blocked" and f"#{update.pk}" in body["message"]
    assert any(f"#{update.pk}" in blocker for blocker in body["blockers"])
    assert fingerprint() == before
    created.refresh_from_db()
    assert created.status == ImportJob.Status.SUCCEEDED and created.undone_at is None
