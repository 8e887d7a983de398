"""The hotline upload page (/events/hotline): only the centre may use it; an uploaded XLSX batch is imported by
the background task (run inline here) and logged with its exact counts; a bad batch lists its row errors and
files nothing; in a real browser the page shows the progress bar and then the result."""
import time
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from geogrid.buildings.models import Building
from geogrid.demo.town import STREET_CODE, STREET_NAME
from geogrid.hotline.readers import COLUMNS
from geogrid.events.models import Event
from geogrid.imports.models import ImportJob
from tests.browsing import log_in

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def immediate_tasks(settings, django_capture_on_commit_callbacks):
    """Run queued tasks inside the request, as GEOGRID_TASKS_IMMEDIATE=1 does for the browser tests' server.
    The upload queues its task on commit, which the test's transaction never reaches: the returned context
    runs the commit callbacks when it closes."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return lambda: django_capture_on_commit_callbacks(execute=True)


def addresses(count: int) -> list[str]:
    """Real addresses of demo buildings that exactly one building has ("城关街道解放路32号")."""
    found = []
    for address in Building.objects.filter(address__regex=r"路[0-9]+号$").order_by("address") \
            .values_list("address", flat=True):
        if Building.objects.filter(address=address).count() == 1:
            found.append(address)
        if len(found) == count:
            return found
    raise AssertionError("the demo town has too few numbered buildings")


def xlsx(path: Path, rows: list[list[str]]) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append([c.name for c in COLUMNS])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def row(ticket: str, address: str, category: str = "0101") -> list[str]:
    return [ticket, "2026-03-02 09:30", category, f"市民反映：{address}垃圾堆积", address, "王先生", "13900001111"]


def upload(client, tasks, path: Path, **fields) -> ImportJob:
    """Post the file, run the queued task, and return the batch's log entry."""
    before = set(ImportJob.objects.values_list("pk", flat=True))
    with tasks():
        response = client.post("/events/hotline",
                               {"file": SimpleUploadedFile(path.name, path.read_bytes(), XLSX), **fields})
    assert response.status_code == 302, response.content.decode()[:2000]
    (job,) = ImportJob.objects.exclude(pk__in=before)
    assert response["Location"] == f"/events/hotline/{job.pk}"
    job.refresh_from_db()
    return job


def test_only_the_centre_may_open_the_page_and_the_ticket_list_links_it_for_the_centre(client):
    assert client.get("/events/hotline")["Location"].startswith("/accounts/login/")
    for username in ("community", "police"):
        client.force_login(User.objects.get(username=username))
        assert client.get("/events/hotline").status_code == 403, username
        assert client.post("/events/hotline", {}).status_code == 403, username
        assert "导入热线工单" not in client.get("/events/").content.decode(), username
    client.force_login(User.objects.get(username="street"))
    page = client.get("/events/hotline")
    assert page.status_code == 200 and "只检查不导入" in page.content.decode()
    assert "street" not in page.context["form"].fields  # the street user's area is one street: no choice to make
    assert 'href="/events/hotline"' in client.get("/events/").content.decode()


def test_an_uploaded_batch_is_imported_and_logged_with_exact_counts(client, immediate_tasks, tmp_path):
    first, second = addresses(2)
    path = xlsx(tmp_path / "批次.xlsx", [row("HP-1", first), row("HP-2", second), row("HP-3", f"{STREET_NAME}幸福路999号"),
                                          row("HP-1", first)])
    street = User.objects.get(username="street")
    client.force_login(street)
    job = upload(client, immediate_tasks, path)
    assert (job.target, job.status, job.user, job.file_name, job.progress) == \
        ("hotline", "succeeded", street, "批次.xlsx", 100)
    assert job.counts == {"rows": 4, "matched": 2, "unmatched": 1, "ambiguous": 0, "duplicates": 1}
    assert job.options == {"street": STREET_CODE} and job.finished_at is not None
    assert job.report["waiting"] == [{"line": 4, "address": f"{STREET_NAME}幸福路999号",
                                      "reason": "没有地址相同的房屋 / no building has this address"}]
    tickets = {e.client_id: e for e in Event.objects.filter(client_id__startswith="12345:HP-")}
    assert set(tickets) == {"12345:HP-1", "12345:HP-2", "12345:HP-3"}
    assert tickets["12345:HP-1"].location == Building.objects.get(address=first).point
    assert tickets["12345:HP-3"].location is None and tickets["12345:HP-3"].street.code == STREET_CODE
    assert tickets["12345:HP-1"].source == "hotline" and tickets["12345:HP-1"].reported_by == street
    state = client.get(f"/api/v1/imports/{job.pk}").json()  # what the page polls
    assert state["finished"] and state["progress"] == 100 and state["counts"]["unmatched"] == 1
    page = client.get(f"/events/hotline/{job.pk}").content.decode()
    assert 'id="hotline-batch"' in page and "批次.xlsx" in page and 'href="/events/unplaced"' in page


def test_a_dry_run_counts_everything_and_files_nothing(client, immediate_tasks, tmp_path):
    (address,) = addresses(1)
    client.force_login(User.objects.get(username="street"))
    path = xlsx(tmp_path / "check.xlsx", [row("HD-1", address), row("HD-2", "某处")])
    job = upload(client, immediate_tasks, path, dry_run="on")
    assert job.status == "checked" and (job.counts["matched"], job.counts["unmatched"]) == (1, 1)
    assert not Event.objects.filter(client_id__startswith="12345:HD-").exists()


def test_a_bad_batch_lists_the_row_error_and_files_nothing(client, immediate_tasks, tmp_path):
    (address,) = addresses(1)
    before = Event.objects.count()
    client.force_login(User.objects.get(username="street"))
    path = xlsx(tmp_path / "bad.xlsx", [row("HB-1", address), row("HB-2", address, category="飞碟降落")])
    job = upload(client, immediate_tasks, path)
    assert job.status == "failed" and job.counts == {"errors": 1}
    assert job.report["errors"] == ["第 3 行：诉求分类“飞碟降落”不是启用的事件分类代码或名称 / row 3: unknown category '飞碟降落'"]
    assert Event.objects.count() == before and not Event.objects.filter(client_id__startswith="12345:HB-").exists()
    assert client.get(f"/api/v1/imports/{job.pk}").json()["report"]["errors"] == job.report["errors"]


def test_the_file_must_be_csv_or_xlsx(client):
    client.force_login(User.objects.get(username="street"))
    page = client.post("/events/hotline", {"file": SimpleUploadedFile("batch.geojson", b"{}")})
    assert page.status_code == 200 and "请上传 CSV 或 XLSX 文件" in page.content.decode()
    assert not ImportJob.objects.filter(target="hotline", file_name="batch.geojson").exists()


@pytest.mark.browser
def test_the_centre_uploads_a_batch_and_sees_progress_then_the_result(recorder, app_server, artifacts, tmp_path):
    batch = f"HW{time.time_ns()}"  # ids unique to this run: the server's database keeps what it commits
    first, second = addresses(2)
    path = xlsx(tmp_path / "热线批次.xlsx", [row(f"{batch}-1", first), row(f"{batch}-2", second),
                                           row(f"{batch}-3", "县医院后门那条巷子")])
    page = recorder.page
    log_in(page, app_server, "street")
    page.goto(f"{app_server}/events/")
    page.click("text=导入热线工单")
    page.set_input_files("#id_file", str(path))
    page.click("button:has-text('上传并导入')")
    page.wait_for_function("() => document.querySelector('.job-summary').textContent.length > 0", timeout=30_000)
    assert page.locator(".job-progress").get_attribute("value") == "100"
    assert page.locator(".job-percent").inner_text() == "100%"
    assert page.locator(".job-summary").inner_text() == \
        "已导入 3 行：已定位 2 件，待定位 1 件（其中地址重复 0 件），重复工单 0 件"
    assert "待定位 第 4 行 县医院后门那条巷子" in page.locator(".job-report").inner_text()
    assert page.locator(".job-unplaced a").get_attribute("href") == "/events/unplaced"
    assert Event.objects.filter(client_id__startswith=f"12345:{batch}-").count() == 3
    page.screenshot(path=artifacts / "hotline-upload.png", full_page=True)
    recorder.assert_stayed_local()
