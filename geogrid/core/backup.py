"""Backups (README "Backups"): the database as a pg_dump custom-format archive plus the media folder as a tar,
in one timestamped folder with a manifest (sizes, SHA-256 of each file, row counts), and their restore.

The dump and the row counts read one snapshot (`pg_export_snapshot`), so a restore can check that every table
came back with exactly the rows the backup saw, even when the server kept writing during the backup.
Extensions (PostGIS, pgRouting) belong to the superuser: they are left out of the restore and must already
exist in the target database (the local cluster's template1 and the docker image have them).
"""
import datetime as dt
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import tarfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import dj_database_url
import psycopg
from psycopg import sql
from django.conf import settings
from django.db import connections
from django.utils import timezone
from django.utils.translation import gettext as _

MANIFEST = "manifest.json"
DUMP = "db.dump"
MEDIA_TAR = "media.tar"
FORMAT = 1
FOLDER_PATTERN = re.compile(r"^\d{8}-\d{6}$")
PG_BIN = Path(os.environ.get("GEOGRID_PG_BIN", "/usr/lib/postgresql/15/bin"))

Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that cannot go on; `message` is Chinese, `code` stable."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message, self.code = message, code


def backup_root() -> Path:
    return Path(os.environ.get("GEOGRID_BACKUP_DIR") or settings.BASE_DIR / "var" / "backups")


def default_keep() -> int:
    return int(os.environ.get("GEOGRID_BACKUP_KEEP", "14"))


def database_config(url: str | None = None) -> dict:
    """Connection settings of the owner role (or of `url`): the owner may read every table and recreate them."""
    if url:
        return dj_database_url.parse(url)
    return dict(settings.DATABASE_ROLES["owner"])


def _pg_tool(name: str) -> str:
    path = PG_BIN / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if not found:
        raise BackupError(f"找不到 {name}：请安装 PostgreSQL 15 客户端（postgresql-client-15）或设置 GEOGRID_PG_BIN",
                          code="pg_tool_missing")
    return found


def _libpq_args(config: dict) -> tuple[list[str], dict]:
    args = ["-d", config["NAME"]]
    if config.get("USER"):
        args += ["-U", config["USER"]]
    if config.get("HOST"):
        args += ["-h", config["HOST"]]
    if config.get("PORT"):
        args += ["-p", str(config["PORT"])]
    env = dict(os.environ)
    if config.get("PASSWORD"):
        env["PGPASSWORD"] = config["PASSWORD"]
    return args, env


def _connect(config: dict, **kwargs) -> psycopg.Connection:
    return psycopg.connect(dbname=config["NAME"], user=config.get("USER") or None,
                           password=config.get("PASSWORD") or None, host=config.get("HOST") or None,
                           port=config.get("PORT") or None, **kwargs)


def _run(command: list[str], env: dict, what: str) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode:
        raise BackupError(f"{what}失败：{result.stderr.strip()[-2000:]}", code="pg_tool_failed")


TABLES_SQL = """
    SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
      AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                      AND d.deptype = 'e')
    ORDER BY c.relname
"""


def row_counts(cursor: psycopg.Cursor) -> dict[str, int]:
    """Exact row count of every table of the public schema that no extension owns."""
    tables = [name for (name,) in cursor.execute(TABLES_SQL).fetchall()]
    if not tables:
        return {}
    counts = " UNION ALL ".join(f"SELECT {i}, count(*) FROM public.{sql.Identifier(t).as_string(cursor)}"
                                for i, t in enumerate(tables))
    return {tables[i]: n for i, n in cursor.execute(counts).fetchall()}


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _private_dir(path: Path) -> Path:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


@contextmanager
def _locked(root: Path) -> Iterator[None]:
    """One backup at a time in a folder (the nightly loop and a manual run)."""
    with (root / ".lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BackupError(f"另一个备份正在 {root} 中进行，请稍后再试", code="backup_running") from None
        yield


def _human(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def create_backup(*, root: Path, config: dict, media_root: Path, progress: Progress = lambda line: None) -> Path:
    """Write `<root>/<YYYYmmdd-HHMMSS>/` (db.dump, media.tar, manifest.json); returns the folder."""
    _private_dir(root)
    with _locked(root):
        now = timezone.localtime()
        final = root / now.strftime("%Y%m%d-%H%M%S")
        if final.exists():
            raise BackupError(f"备份目录 {final} 已存在", code="backup_exists")
        work = _private_dir(root / f"{final.name}.partial")
        args, env = _libpq_args(config)
        started = time.monotonic()
        with _connect(config) as conn:
            # Dump and counts from one snapshot: the transaction exporting it stays open until pg_dump is done.
            conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
            with conn.transaction(), conn.cursor() as cursor:
                snapshot = cursor.execute("SELECT pg_export_snapshot()").fetchone()[0]
                progress(f"导出数据库 {config['NAME']} …")
                _run([_pg_tool("pg_dump"), "-Fc", "--no-password", f"--snapshot={snapshot}",
                      "-f", str(work / DUMP), *args], env, "pg_dump ")
                counts = row_counts(cursor)
                server_version = cursor.execute("SHOW server_version").fetchone()[0]
        dumped = (work / DUMP).stat().st_size
        progress(_("  Database {size}, {tables} tables, {rows} rows, {seconds} s").format(
            size=_human(dumped), tables=len(counts), rows=sum(counts.values()),
            seconds=f"{time.monotonic() - started:.1f}"))
        media_files = _tar_media(media_root, work / MEDIA_TAR)
        packed = (work / MEDIA_TAR).stat().st_size
        progress(_("  Media files: {count}, {size}").format(count=media_files, size=_human(packed)))
        files = {name: {"bytes": (work / name).stat().st_size, "sha256": sha256(work / name)}
                 for name in (DUMP, MEDIA_TAR)}
        manifest = {"format": FORMAT, "created_at": now.isoformat(), "database": config["NAME"],
                    "server_version": server_version, "files": files, "media_files": media_files,
                    "row_counts": counts, "seconds": round(time.monotonic() - started, 2)}
        (work / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
        for name in (DUMP, MEDIA_TAR, MANIFEST):
            (work / name).chmod(0o600)
        work.rename(final)
        progress(f"备份完成：{final}（{time.monotonic() - started:.1f} s）")
        return final


def _tar_media(media_root: Path, target: Path) -> int:
    count = 0
    with tarfile.open(target, "w") as tar:
        if media_root.is_dir():
            for path in sorted(media_root.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    tar.add(path, arcname=str(path.relative_to(media_root)), recursive=False)
                    count += 1
    return count


def backups(root: Path) -> list[Path]:
    """Complete backups in `root`, oldest first."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if FOLDER_PATTERN.match(p.name) and (p / MANIFEST).is_file())


def prune(root: Path, keep: int, progress: Progress = lambda line: None) -> list[Path]:
    """Keep the newest `keep` complete backups; remove older ones and leftovers of interrupted runs."""
    if keep < 1:
        raise BackupError("至少保留 1 份备份（--keep）", code="backup_keep_invalid")
    removed = backups(root)[:-keep]
    with _locked(root):
        removed += [p for p in root.iterdir() if p.name.endswith(".partial")]
        for path in removed:
            shutil.rmtree(path)
            progress(f"删除旧备份 {path.name}")
    return removed


def read_manifest(folder: Path) -> dict:
    """The manifest, after checking every file's size and SHA-256 against it."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError):
        raise BackupError(f"{folder} 不是完整的备份：缺少或无法读取 {MANIFEST}", code="backup_manifest_missing") from None
    if manifest.get("format") != FORMAT or set(manifest.get("files", {})) != {DUMP, MEDIA_TAR}:
        raise BackupError(f"{folder / MANIFEST} 的格式无法识别", code="backup_manifest_invalid")
    for name, expected in manifest["files"].items():
        path = folder / name
        if not path.is_file() or path.stat().st_size != expected["bytes"] or sha256(path) != expected["sha256"]:
            raise BackupError(f"备份已损坏：{name} 的大小或校验和与清单不符，拒绝恢复", code="backup_checksum_mismatch")
    return manifest


# pg_restore -l lines: "<id>; <catalog oid> <oid> <kind...> <schema> <name> <owner>".
EXTENSION_ENTRY = re.compile(r"^\d+; \d+ \d+ (EXTENSION - (?P<extension>\S+)|COMMENT - EXTENSION |TABLE DATA public (?P<table>\S+) )")
EXTENSION_TABLES_SQL = """
    SELECT c.relname FROM pg_class c JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid
    WHERE d.deptype = 'e' AND c.relnamespace = 'public'::regnamespace
"""


def _extension_entry(line: str, extension_tables: set[str]) -> bool:
    """The superuser's part of a dump: extensions, their comments and the rows of their tables (spatial_ref_sys)."""
    match = EXTENSION_ENTRY.match(line)
    return bool(match) and (match["table"] is None or match["table"] in extension_tables)


def restore_backup(*, folder: Path, config: dict, media_root: Path, progress: Progress = lambda line: None) -> dict:
    """Replace the database's schema and data and the media folder with the backup's; returns the manifest.

    pg_restore runs as one transaction: a failure leaves the database as it was. Objects end up owned by the
    connecting (owner) role, then the app role's grants are applied as after a migrate.
    """
    manifest = read_manifest(folder)
    progress(f"清单与校验和正确（{manifest['created_at']}，数据库 {manifest['database']}）")
    args, env = _libpq_args(config)
    with _connect(config) as conn:
        missing = conn.execute("SELECT e FROM unnest(%s::text[]) e WHERE e NOT IN (SELECT extname FROM pg_extension)",
                               [_dump_extensions(folder / DUMP)]).fetchall()
        extension_tables = {name for (name,) in conn.execute(EXTENSION_TABLES_SQL).fetchall()}
    if missing:
        names = ", ".join(name for (name,) in missing)
        raise BackupError(f"目标数据库 {config['NAME']} 缺少扩展 {names}：请由超级用户先执行 CREATE EXTENSION",
                          code="restore_extension_missing")
    started = time.monotonic()
    listing = folder.parent / f".{folder.name}.restore-list"
    try:
        listing.write_text("".join(line + "\n" for line in _dump_listing(folder / DUMP)
                                   if not _extension_entry(line, extension_tables)))
        progress(f"恢复数据库到 {config['NAME']} …")
        _restore_sql(folder / DUMP, listing, args, env)
    finally:
        listing.unlink(missing_ok=True)
    _restrict_app_role(config)
    with _connect(config) as conn, conn.cursor() as cursor:
        counts = row_counts(cursor)
    if counts != manifest["row_counts"]:
        wrong = sorted(t for t in set(counts) | set(manifest["row_counts"])
                       if counts.get(t) != manifest["row_counts"].get(t))
        raise BackupError(f"恢复后的行数与备份不符：{', '.join(wrong[:10])}", code="restore_row_count_mismatch")
    progress(f"  {len(counts)} 张表、{sum(counts.values())} 行与备份一致（{time.monotonic() - started:.1f} s）")
    restore_media(folder / MEDIA_TAR, media_root)
    progress(f"  媒体文件 {manifest['media_files']} 个已恢复到 {media_root}")
    return manifest


# pg_restore empties search_path, and then the audit triggers' `WHEN (old.footprint IS DISTINCT FROM
# new.footprint)` cannot find PostGIS's geometry `=` (pg_get_triggerdef cannot qualify the operator of IS DISTINCT
# FROM): "operator is not unique: public.geometry = public.geometry". So the archive goes through psql as SQL,
# with search_path set to public; every other name in it is schema-qualified.
EMPTY_SEARCH_PATH = b"SELECT pg_catalog.set_config('search_path', '', false);\n"
PUBLIC_SEARCH_PATH = b"SELECT pg_catalog.set_config('search_path', 'public', false);\n"


def _restore_sql(dump: Path, listing: Path, args: list[str], env: dict) -> None:
    """pg_restore --clean --if-exists --no-owner | psql --single-transaction: a failure changes nothing."""
    source = subprocess.Popen([_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "-L", str(listing),
                               "-f", "-", str(dump)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    sink = subprocess.Popen([_pg_tool("psql"), "-X", "-q", "--no-password", "--single-transaction",
                             "-v", "ON_ERROR_STOP=1", "-o", os.devnull, *args], stdin=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={**env, "PGOPTIONS": "-c client_min_messages=warning"})
    in_copy = False
    try:
        for line in source.stdout:
            if in_copy:
                in_copy = line != b"\\.\n"
            elif line == EMPTY_SEARCH_PATH:
                line = PUBLIC_SEARCH_PATH
            elif line.startswith(b"COPY ") and line.endswith(b" FROM stdin;\n"):
                in_copy = True
            sink.stdin.write(line)
    except BrokenPipeError:
        pass  # psql stopped at an error: its message follows
    finally:
        try:
            sink.stdin.close()
        except BrokenPipeError:
            pass
        source.stdout.close()
    errors = sink.stderr.read().decode(errors="replace").strip()
    if sink.wait() or source.wait():
        errors += source.stderr.read().decode(errors="replace").strip()
        raise BackupError(f"恢复数据库失败（数据库未改变）：{errors[-2000:]}", code="restore_failed")


def _dump_listing(dump: Path) -> list[str]:
    result = subprocess.run([_pg_tool("pg_restore"), "-l", str(dump)], capture_output=True, text=True)
    if result.returncode:
        raise BackupError(f"无法读取 {dump.name}：{result.stderr.strip()}", code="backup_unreadable")
    return result.stdout.splitlines()


def _dump_extensions(dump: Path) -> list[str]:
    return [match["extension"] for line in _dump_listing(dump) if (match := EXTENSION_ENTRY.match(line))
            and match["extension"]]


def _restrict_app_role(config: dict) -> None:
    """The grants `migrate` applies (geogrid.core.audit.restrict_app_role), on the restored database."""
    from geogrid.core.audit import restrict_app_role

    alias = "geogrid_restore_target"
    default = connections["default"]
    # A wrapper of its own, never in settings.DATABASES: it lives for these grants only.
    connections[alias] = type(default)({**default.settings_dict, **{
        key: config.get(key, "") for key in ("NAME", "USER", "PASSWORD", "HOST", "PORT")}}, alias)
    try:
        restrict_app_role(using=alias)
    finally:
        connections[alias].close()
        del connections[alias]


def restore_media(tar_path: Path, media_root: Path) -> None:
    """Unpack beside the media folder, then swap it in: an interrupted restore never leaves half a folder."""
    media_root.parent.mkdir(parents=True, exist_ok=True)
    fresh = media_root.with_name(f".{media_root.name}.restoring")
    old = media_root.with_name(f".{media_root.name}.old")
    for path in (fresh, old):
        if path.exists():
            shutil.rmtree(path)
    fresh.mkdir()
    with tarfile.open(tar_path) as tar:
        tar.extractall(fresh, filter="data")  # refuses absolute paths, .. and links out of the folder
    if media_root.exists():
        media_root.rename(old)
    fresh.rename(media_root)
    if old.exists():
        shutil.rmtree(old)


def parse_at(value: str) -> dt.time:
    try:
        return dt.time.fromisoformat(value)
    except ValueError:
        raise BackupError(f"备份时间 {value!r} 无效，应为 HH:MM（如 02:30）", code="backup_at_invalid") from None


def next_run(now: dt.datetime, at: dt.time) -> dt.datetime:
    """The first time `at` (local wall-clock time of `now`'s zone) strictly after `now`."""
    candidate = now.replace(hour=at.hour, minute=at.minute, second=at.second, microsecond=0)
    if candidate <= now:
        candidate += dt.timedelta(days=1)  # aware arithmetic in one zone keeps the wall-clock time
    return candidate
