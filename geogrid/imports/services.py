"""Importing a file: one service behind both the `import_data` command and the upload page.

Two passes over the file, so a large file never sits in memory whole:
1. check: every feature against the target's schema, its geometry and its CRS's area of use;
2. write: only when the check found no error, inside ONE transaction, through the writers and the
   database's own constraints and triggers. `dry_run` runs pass 2 too and rolls it back, so a dry run
   reports everything a real import would, including the database's refusals.
All of it lands or none of it does. The import log (`ImportJob`) is written outside that transaction.
"""
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import shapely
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.utils import timezone

from geogrid.accounts.selectors import scope_of
from geogrid.areas.models import Area
from geogrid.core.copy import copy_rows
from geogrid.core.crs import CoordinateError, check_in_area, parse_crs, to_storage
from geogrid.buildings.services import place_buildings
from geogrid.core.services import create_generation
from geogrid.departments.models import Department
from geogrid.imports.models import ImportedFeature, ImportJob
from geogrid.imports.readers import ReadError, SourceFile, open_source
from geogrid.imports.schemas import SCHEMAS, GeometryKind, Schema
from geogrid.imports.validation import CheckedFeature, Problem, check_feature, resolve_columns
from geogrid.imports.writers import WRITERS, Created, WriteContext, WriteError

MAX_REPORTED = 500
STREAMED_TARGETS = {"buildings", "stations", "business_grids"}  # no links between rows: written batch by batch  # problems listed in full; the counts always cover all of them

Progress = Callable[[str, int, int], None]  # (phase, done, total)


@dataclass
class ImportOptions:
    target: str
    crs: str | None = None
    layer: str | None = None
    encoding: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    department_code: str | None = None
    fix: bool = False
    dry_run: bool = False
    constants: dict[str, str] = field(default_factory=dict)  # `--set kind=社区`: a field's value for every row


@dataclass
class ImportResult:
    job: ImportJob
    errors: list[Problem]
    repairs: list[Problem]
    notes: list[str]
    created: int

    @property
    def ok(self) -> bool:
        return not self.errors


class _Failed(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems


class _DryRun(Exception):
    """Rolls back a dry run's writes."""


def run_import(path: Path, options: ImportOptions, *, user: User | None = None, job: ImportJob | None = None,
               progress: Progress | None = None) -> ImportResult:
    """Import a file; see the module docstring. Never raises for bad input: the result lists the problems."""
    path = Path(path)
    schema = SCHEMAS.get(options.target)
    job = job or ImportJob.objects.create(user=user, file_name=path.name, target=options.target,
                                          options=_options_for_log(options))
    job.status = ImportJob.Status.RUNNING
    job.save(update_fields=["status"])
    reporter = _ProgressReporter(job, progress)
    repairs: list[Problem] = []
    notes: list[str] = []
    created = 0
    try:
        if schema is None:
            raise _Failed([Problem(None, f"未知的导入内容 {options.target}，可选：{', '.join(SCHEMAS)} / unknown target")])
        source = _open(path, options)
        notes += source.notes
        crs = _resolve_crs(source, options, notes)
        job.source_crs = crs.name
        source.constants = options.constants
        columns, column_errors = resolve_columns(schema, [*source.columns, *options.constants],
                                                 options.mapping | {name: name for name in options.constants})
        if column_errors:
            raise _Failed([Problem(None, e) for e in column_errors])
        _check_all(source, schema, columns, crs, options.fix, repairs, reporter)
        created = _write(source, schema, columns, crs, options, user, reporter)
    except _Failed as failure:
        return _finish(job, failure.problems, repairs, notes, 0, reporter)
    return _finish(job, [], repairs, notes, created, reporter)


def _options_for_log(options: ImportOptions) -> dict:
    return {k: v for k, v in vars(options).items() if k != "target" and v not in (None, {}, False)}


def _open(path: Path, options: ImportOptions) -> SourceFile:
    try:
        return open_source(path, layer=options.layer, encoding=options.encoding)
    except ReadError as error:
        raise _Failed([Problem(None, str(error), code=error.code)]) from None


def _resolve_crs(source: SourceFile, options: ImportOptions, notes: list[str]):
    """The file's own CRS when it declares one; the user's when it does not; never a guess."""
    try:
        given = parse_crs(options.crs) if options.crs else None
        declared = parse_crs(source.crs) if source.crs else None
    except CoordinateError as error:
        raise _Failed([Problem(None, str(error))]) from None
    schema = SCHEMAS[options.target]
    if schema.geometry is GeometryKind.NONE and source.format in ("CSV", "XLSX"):
        return parse_crs("cgcs2000")  # a table without geometry: nothing to transform
    if declared and given and declared != given and not source.crs_from_spec:
        raise _Failed([Problem(None, f"文件自带坐标系 {declared.name}，与指定的 {given.name} 不一致；以文件为准时请勿指定 "
                                     f"--crs / the file declares {declared.name}, not {given.name}", code="crs_mismatch")])
    if given:
        if declared and source.crs_from_spec and declared != given:
            notes.append(f"{source.format} 按规范为 WGS84，按指定改用 {given.name} / {source.format} read as {given.name}")
        return given
    if declared:
        return declared
    raise _Failed([Problem(None, "文件没有坐标系信息，请用 --crs 指定（如 EPSG:4545、cgcs2000、wgs84、gcj02、bd09）"
                                 " / the file has no CRS: name one with --crs")])


def _checked_batches(source: SourceFile, schema: Schema, columns: dict[str, str], crs, fix: bool,
                     repairs: list[Problem]) -> Iterator[tuple[list[CheckedFeature], list[Problem], int]]:
    """Each batch of the file checked and in CGCS2000: (good rows, problems, features read)."""
    for batch in source.batches():
        good, problems = [], []
        for feature in batch:
            feature.attributes.update(source.constants)
            row, found = check_feature(feature, schema, columns, fix, repairs)
            problems += found
            if row is not None:
                good.append(row)
        problems += _to_storage(good, crs)
        yield good, problems, len(batch)


def _check_all(source: SourceFile, schema: Schema, columns: dict[str, str], crs, fix: bool,
               repairs: list[Problem], reporter: "_ProgressReporter") -> None:
    """Pass 1: every feature, every problem, keeping no rows (memory stays bounded). Raises _Failed."""
    errors: list[Problem] = []
    keys: dict[str, int] = {}
    good = done = 0
    for rows, problems, read in _checked_batches(source, schema, columns, crs, fix, repairs):
        errors += problems
        for row in rows:
            key = row.values[schema.key] if schema.key else None
            if key is not None and key in keys:
                errors.append(Problem(row.number, f"{schema.key} {key} 与第 {keys[key]} 个要素重复 / duplicate "
                                      f"{schema.key}", row.raw.attributes))
            elif key is not None:
                keys[key] = row.number
        good += len(rows)
        done += read
        reporter("check", done, source.count)
    if errors:
        raise _Failed(errors)
    if not good:
        raise _Failed([Problem(None, "文件中没有要素 / the file has no features")])


def _to_storage(rows: list[CheckedFeature], crs) -> list[Problem]:
    """Check the batch lies in the CRS's area of use and transform it to CGCS2000 in place."""
    with_geometry = [r for r in rows if r.geometry is not None]
    if not with_geometry:
        return []
    geoms = np.array([r.geometry for r in with_geometry], dtype=object)
    coords, index = shapely.get_coordinates(geoms, return_index=True)
    numbers = np.array([r.number for r in with_geometry])[index]
    try:
        check_in_area(coords[:, 0], coords[:, 1], crs, features=numbers)
    except CoordinateError as error:
        row = with_geometry[index[error.index]]
        return [Problem(row.number, str(error), row.raw.attributes,
                        (float(coords[error.index, 0]), float(coords[error.index, 1])))]
    transformed = shapely.transform(geoms, lambda xy: np.column_stack(to_storage(xy[:, 0], xy[:, 1], crs)))
    for row, geom in zip(with_geometry, transformed):
        row.geometry = geom
    return []


def _write(source: SourceFile, schema: Schema, columns: dict[str, str], crs, options: ImportOptions,
           user: User | None, reporter: "_ProgressReporter") -> int:
    """Pass 2, reading the file again, in one transaction (rolled back for a dry run). Targets without
    links between rows are written batch by batch; the others (parents, areas) need the whole file."""
    batches = ((rows, read) for rows, _, read in
               _checked_batches(source, schema, columns, crs, options.fix, repairs=[]))
    if schema.target not in STREAMED_TARGETS:
        rows = [row for batch, _ in batches for row in batch]
        batches = iter([(rows, source.count)])
    created = done = 0
    try:
        with transaction.atomic():
            ctx = WriteContext(department=_department(options), scope=_scope_area(user))
            if schema.target in ("grids", "business_grids"):
                ctx.generation = create_generation(f"导入{schema.label}：{source.path.name}", user)
            new_buildings: list[int] = []
            for rows, read in batches:
                written = WRITERS[schema.target](rows, ctx)
                _keep_sources(written, crs, reporter.job)
                created += len(written)
                new_buildings += [c.pk for c in written if c.model == "buildings.Building"]
                done += read
                reporter("write", done, source.count)
            if schema.target == "grids":
                place_buildings()  # 以房定户: every building may move to a new grid
            elif schema.target == "buildings":
                place_buildings(new_buildings)  # only the new ones need placing; the grids stay
            if options.dry_run:
                raise _DryRun
    except _DryRun:
        return created
    except WriteError as error:
        raise _Failed(error.problems) from None
    except DatabaseError as error:
        raise _Failed([Problem(None, f"数据库拒绝写入：{str(error).splitlines()[0]} / the database refused the import")]) from None
    return created


def _scope_area(user: User | None) -> Area | None:
    """The area an import by this user must stay inside; None for superusers and the command line."""
    if user is None or user.is_superuser:
        return None
    scope = scope_of(user)
    if scope is None:
        raise WriteError([Problem(None, "您的账号没有负责区域，不能导入 / your account has no area")])
    return scope.area or scope.department.area


def _department(options: ImportOptions) -> Department | None:
    if not options.department_code:
        return None
    department = Department.objects.filter(code=options.department_code).first()
    if department is None:
        raise WriteError([Problem(None, f"部门 {options.department_code} 不存在 / unknown department")])
    return department


def _keep_sources(created: list[Created], crs, job: ImportJob) -> None:
    """The raw record (geometry in the file's CRS, attributes) of every created row, by COPY."""
    fields = ["job", "number", "model", "object_id", "raw_crs", "raw_wkt", "attributes"]
    copy_rows(ImportedFeature, fields, [
        (job.pk, c.row.number, c.model, c.pk, crs.name, c.row.raw.geometry.wkt if c.row.raw.geometry is not None else "",
         json.dumps({k: _jsonable(v) for k, v in c.row.raw.attributes.items()}, ensure_ascii=False))
        for c in created
    ])


def _jsonable(value):
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)


def _finish(job: ImportJob, errors: list[Problem], repairs: list[Problem], notes: list[str], created: int,
            reporter: "_ProgressReporter") -> ImportResult:
    reporter.close()
    dry_run = job.options.get("dry_run", False)
    job.status = (ImportJob.Status.FAILED if errors else
                  ImportJob.Status.CHECKED if dry_run else ImportJob.Status.SUCCEEDED)
    job.progress = 100
    job.finished_at = timezone.now()
    job.counts = {"errors": len(errors), "repairs": len(repairs), "created": 0 if errors or dry_run else created,
                  "would_create": created if dry_run and not errors else 0}
    job.report = {"errors": [p.as_dict() for p in errors[:MAX_REPORTED]],
                  "repairs": [p.as_dict() for p in repairs[:MAX_REPORTED]], "notes": notes}
    job.save()
    return ImportResult(job, errors, repairs, notes, job.counts["created"] or job.counts["would_create"])


class JobProgress:
    """ImportJob.progress as a percentage, written on a connection of its own: the page polling the job must see
    progress while the import's transaction is still open, and would see nothing written inside it."""

    def __init__(self, job: ImportJob):
        self.job = job
        self.last = -1
        self.connection = connections.create_connection(DEFAULT_DB_ALIAS)

    def set(self, percent: int) -> None:
        if percent != self.last:
            self.last = percent
            with self.connection.cursor() as cursor:
                cursor.execute("UPDATE imports_importjob SET progress = %s WHERE id = %s", [percent, self.job.pk])

    def close(self) -> None:
        self.connection.close()


class _ProgressReporter(JobProgress):
    """Progress for the command line (a callback) and for the upload page (checking is the first half)."""

    PHASES = {"check": (0, 50), "write": (50, 100)}

    def __init__(self, job: ImportJob, callback: Progress | None):
        super().__init__(job)
        self.callback = callback

    def __call__(self, phase: str, done: int, total: int) -> None:
        if self.callback:
            self.callback(phase, done, total)
        low, high = self.PHASES[phase]
        self.set(low + (high - low) * done // max(total, 1))


def store_upload(upload: UploadedFile, folder: str, job: ImportJob) -> Path:
    """Keep an uploaded file under MEDIA_ROOT/<folder>/<job>/ for the background worker; returns its path."""
    directory = Path(settings.MEDIA_ROOT) / folder / str(job.pk)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / Path(upload.name).name
    with open(path, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return path


def queue_upload(upload: UploadedFile, options: ImportOptions, user: User) -> ImportJob:
    """Keep an uploaded file under MEDIA_ROOT/imports/<job>/ and queue its import for the background worker."""
    from geogrid.imports.tasks import import_uploaded_file  # the task module imports this one

    job = ImportJob.objects.create(user=user, file_name=upload.name, target=options.target,
                                   options=_options_for_log(options))
    path = store_upload(upload, "imports", job)
    transaction.on_commit(lambda: import_uploaded_file.enqueue(job_id=job.pk, path=str(path)))
    return job
