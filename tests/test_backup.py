"""Backups (README "Backups"): back up the test database (the demo town) and a media folder, restore both into a
scratch database and folder, find every row and file again; a damaged backup is refused; retention keeps N."""
import datetime as dt
import shutil
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from geogrid.core.audit import audit_tables
from geogrid.core.backup import BackupError, MANIFEST, backups, next_run, prune, read_manifest

pytestmark = pytest.mark.django_db  # the test database is set up only for a session with a django_db test

PHOTO = b"\xff\xd8\xff\xe0 a test photo \x00\x01" * 100


def database_url(settings_dict: dict, name: str) -> str:
    password = f":{quote(settings_dict['PASSWORD'], safe='')}" if settings_dict.get("PASSWORD") else ""
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return (f"postgis://{quote(settings_dict['USER'], safe='')}{password}@"
            f"{quote(settings_dict['HOST'] or '', safe='')}{port}/{name}")


def connect(settings_dict: dict, name: str, **kwargs) -> psycopg.Connection:
    return psycopg.connect(dbname=name, user=settings_dict["USER"], password=settings_dict.get("PASSWORD") or None,
                           host=settings_dict["HOST"] or None, port=settings_dict["PORT"] or None, **kwargs)


@pytest.fixture(scope="module")
def source(django_db_setup, django_db_blocker) -> dict:
    """The test database's (owner) connection settings."""
    with django_db_blocker.unblock():
        settings_dict = dict(connection.settings_dict)
    assert settings_dict["NAME"].startswith("test_"), "never back up or restore anything but the test database"
    return settings_dict


@pytest.fixture(scope="module")
def backup_folder(source, tmp_path_factory) -> Path:
    media = tmp_path_factory.mktemp("media")
    (media / "events" / "2026" / "01").mkdir(parents=True)
    (media / "events" / "2026" / "01" / "现场照片.jpg").write_bytes(PHOTO)
    (media / "imports").mkdir()
    (media / "imports" / "grids.geojson").write_text('{"type": "FeatureCollection", "features": []}')
    root = tmp_path_factory.mktemp("backups")
    call_command("backup", dir=root, database_url=database_url(source, source["NAME"]), media_root=media, verbosity=0)
    (folder,) = backups(root)
    return folder


@pytest.fixture
def scratch(source) -> str:
    """An empty database (extensions from template1) owned by the owner role; dropped afterwards."""
    name = f"{source['NAME']}_restore"
    with connect(source, "postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield name
    with connect(source, "postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def table_counts(conn: psycopg.Connection) -> dict[str, int]:
    tables = [t for (t,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                                         " AND tablename <> 'spatial_ref_sys'")]
    return {t: conn.execute(f'SELECT count(*) FROM public."{t}"').fetchone()[0] for t in tables}


def test_a_backup_restores_every_row_and_file(source, backup_folder, scratch, tmp_path):
    manifest = read_manifest(backup_folder)
    assert backup_folder.stat().st_mode & 0o777 == 0o700
    assert backup_folder.parent.stat().st_mode & 0o777 == 0o700
    assert manifest["media_files"] == 2 and manifest["database"] == source["NAME"]
    restored_media = tmp_path / "media"
    call_command("restore", backup_folder, database_url=database_url(source, scratch), media_root=restored_media,
                 yes=True, verbosity=0)

    with connect(source, source["NAME"]) as original, connect(source, scratch) as restored:
        before, after = table_counts(original), table_counts(restored)
        assert after == before
        assert before["grids_grid"] > 0 and before["buildings_building"] > 0 and before["auth_user"] > 0
        assert sum(after.values()) == sum(manifest["row_counts"].values())
        # Owned by the owner role; the app role's grants as after a migrate (append-only audit trail).
        owners = {o for (o,) in restored.execute("SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'"
                                                 " AND tablename <> 'spatial_ref_sys'")}
        assert owners == {source["USER"]}
        from django.conf import settings
        app = settings.DATABASE_ROLES["app"]["USER"]
        if app != source["USER"]:
            audit = audit_tables()[0]
            assert restored.execute("SELECT has_table_privilege(%s, %s, 'INSERT'), has_table_privilege(%s, %s, 'UPDATE'),"
                                    " has_table_privilege(%s, 'grids_grid', 'UPDATE')",
                                    [app, audit, app, audit, app]).fetchone() == (True, False, True)
    assert (restored_media / "events" / "2026" / "01" / "现场照片.jpg").read_bytes() == PHOTO
    assert sorted(str(p.relative_to(restored_media)) for p in restored_media.rglob("*") if p.is_file()) == [
        "events/2026/01/现场照片.jpg", "imports/grids.geojson"]


def test_a_damaged_backup_is_refused(source, backup_folder, scratch, tmp_path):
    damaged = tmp_path / backup_folder.name
    shutil.copytree(backup_folder, damaged)
    dump = damaged / "db.dump"
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(data)
    with pytest.raises(BackupError) as refused:
        read_manifest(damaged)
    assert refused.value.code == "backup_checksum_mismatch"
    with pytest.raises(CommandError, match="校验和"):
        call_command("restore", damaged, database_url=database_url(source, scratch), media_root=tmp_path / "m",
                     yes=True, verbosity=0)
    with connect(source, scratch) as conn:
        assert table_counts(conn) == {}
    assert not (tmp_path / "m").exists()


def test_restore_asks_first(source, backup_folder, scratch, tmp_path, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="已取消"):
        call_command("restore", backup_folder, database_url=database_url(source, scratch),
                     media_root=tmp_path / "m", verbosity=0)
    with connect(source, scratch) as conn:
        assert table_counts(conn) == {}


def test_retention_keeps_the_newest(tmp_path):
    names = ["20260101-023000", "20260102-023000", "20260103-023000", "20260104-023000"]
    for name in names:
        (tmp_path / name).mkdir()
        (tmp_path / name / MANIFEST).write_text("{}")
    (tmp_path / "20260105-023000.partial").mkdir()  # an interrupted backup
    (tmp_path / "notes").mkdir()  # not ours: left alone
    removed = prune(tmp_path, 2)
    assert sorted(p.name for p in removed) == [*names[:2], "20260105-023000.partial"]
    assert [p.name for p in backups(tmp_path)] == names[2:]
    assert (tmp_path / "notes").is_dir()


def test_the_nightly_time_is_the_next_one():
    shanghai = ZoneInfo("Asia/Shanghai")
    at = dt.time(2, 30)
    assert next_run(dt.datetime(2026, 3, 1, 1, 0, tzinfo=shanghai), at) == dt.datetime(2026, 3, 1, 2, 30, tzinfo=shanghai)
    assert next_run(dt.datetime(2026, 3, 1, 2, 30, tzinfo=shanghai), at) == dt.datetime(2026, 3, 2, 2, 30, tzinfo=shanghai)
    assert next_run(dt.datetime(2026, 12, 31, 23, 0, tzinfo=shanghai), at) == dt.datetime(2027, 1, 1, 2, 30,
                                                                                          tzinfo=shanghai)
