"""Archives are checked from their directory before anything is inflated (geogrid/imports/readers.py):
a zip bomb, an archive over the size cap and member names that climb out are refused with a code, and the
failed import writes nothing."""
import zipfile

import pytest

from geogrid.imports import readers
from geogrid.imports.models import ImportedFeature, ImportJob
from geogrid.imports.services import ImportOptions, run_import

pytestmark = pytest.mark.django_db

GIB = 1024 ** 3
CHUNK = b"\0" * (4 * 1024 * 1024)


def zip_bomb(path, size: int = GIB):
    """A shapefile-looking zip whose .dbf inflates to `size` bytes of zeros (~1 MB per GiB on disk),
    written streaming so the test never holds it in memory."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb.shp", b"\0" * 100)
        archive.writestr("bomb.shx", b"\0" * 100)
        with archive.open("bomb.dbf", "w", force_zip64=True) as member:
            for _ in range(size // len(CHUNK)):
                member.write(CHUNK)
    return path


def refusal(path, target="buildings"):
    before = ImportedFeature.objects.count()
    result = run_import(path, ImportOptions(target=target, crs="EPSG:4545"))
    assert not result.ok and result.job.status == ImportJob.Status.FAILED
    assert ImportedFeature.objects.count() == before and result.job.counts["created"] == 0
    return result.job.report["errors"][0]


def test_a_zip_bomb_is_refused_from_its_directory(tmp_path, monkeypatch):
    bomb = zip_bomb(tmp_path / "bomb.zip")
    assert bomb.stat().st_size < 10 * 1024 * 1024
    opened = []
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda self, *a, **k: opened.append(a) or pytest.fail("inflated"))
    error = refusal(bomb)
    assert error["code"] == "archive_ratio" and "压缩比" in error["message"]
    assert opened == []


def test_an_archive_over_the_size_cap_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "ARCHIVE_MAX_BYTES", 64 * 1024 * 1024)
    error = refusal(zip_bomb(tmp_path / "big.zip", 128 * 1024 * 1024))
    assert error["code"] == "archive_too_large"


@pytest.mark.parametrize("name", ["../evil.shp", "/etc/evil.shp", "a/../../evil.shp", "C:/evil.shp", "..\\evil.shp"])
def test_member_names_that_climb_out_are_refused(tmp_path, name):
    path = tmp_path / "climb.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(name, b"x")
    assert refusal(path)["code"] == "archive_unsafe_path"


def test_an_xlsx_bomb_is_refused_before_openpyxl_reads_it(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            for _ in range(GIB // len(CHUNK) // 4):
                member.write(CHUNK)
    assert refusal(path, target="staff")["code"] == "archive_ratio"


def test_only_the_members_a_shapefile_needs_count(tmp_path):
    """A README beside the shapefile is neither read nor counted: a small honest archive still opens."""
    names = readers.check_archive(zip_bomb(tmp_path / "ok.zip", 0), lambda n: n.endswith(readers.SHAPEFILE_MEMBERS))
    assert sorted(names) == ["bomb.dbf", "bomb.shp", "bomb.shx"]
