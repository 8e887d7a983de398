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
import pghistory
from django.apps import apps
from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.geos import GEOSGeometry
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from geogrid.accounts.selectors import scope_of
from geogrid.areas.models import Area
from geogrid.core.copy import copy_rows
from geogrid.core.crs import CoordinateError, check_in_area, parse_crs, to_storage
from geogrid.buildings.services import place_buildings
from geogrid.core.api import DomainError
from geogrid.core.models import Generation, Versioned
from geogrid.core.refusals import refusal_of
from geogrid.core.services import create_generation, retire
from geogrid.grids.models import Grid
from geogrid.staff.models import StaffMember
from geogrid.departments.models import Department
from geogrid.alignment.services import follow_base_grids
from geogrid.imports.checks import BuildingKeys, building_key_problems, check_grids
from geogrid.imports.models import ImportedFeature, ImportJob
from geogrid.imports.proposals import Refused, proposes, propose
from geogrid.imports.readers import ReadError, SourceFile, open_source
from geogrid.imports.schemas import SCHEMAS, GeometryKind, Schema
from geogrid.imports.validation import CheckedFeature, Problem, check_feature, resolve_columns
from geogrid.imports.writers import WRITERS, Created, WriteContext, WriteError, carry_links

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
    mode: str = ImportJob.Mode.CREATE
    key: str | None = None  # the field matching rows to stored ones; default: the target's key


@dataclass
class Counts:
    """What an import did (or, dry, would do)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    ended: int = 0


@dataclass
class ImportResult:
    job: ImportJob
    errors: list[Problem]
    repairs: list[Problem]
    notes: list[str]
    created: int
    warnings: list[Problem] = field(default_factory=list)

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
    job = job or ImportJob.objects.create(user=user, file_name=path.name, target=options.target, mode=options.mode,
                                          options=_options_for_log(options))
    job.status = ImportJob.Status.RUNNING
    job.save(update_fields=["status"])
    reporter = _ProgressReporter(job, progress)
    repairs: list[Problem] = []
    warnings: list[Problem] = []
    notes: list[str] = []
    try:
        if schema is None:
            raise _Failed([Problem(None, _("Unknown import target {target}; the targets: {targets}.").format(
                target=options.target, targets=", ".join(SCHEMAS)), code="unknown_target")])
        key = _check_mode(schema, options, user)
        source = _open(path, options)
        notes += source.notes
        crs = _resolve_crs(source, options, notes)
        job.source_crs = crs.name
        source.constants = options.constants
        columns, column_errors = resolve_columns(schema, [*source.columns, *options.constants],
                                                 options.mapping | {name: name for name in options.constants})
        if column_errors:
            raise _Failed(column_errors)
        _check_all(source, schema, columns, crs, options, key, repairs, reporter)
        rows = None
        if schema.target == "grids":
            rows = _rows_of(source, schema, columns, crs, options)
            errors, found = check_grids(rows, options.mode, crs)
            warnings += found
            if errors:
                raise _Failed(errors)
        if proposes(schema.target, options.mode, user):
            counts = _propose(rows, options, user, job, len(warnings), notes)
        else:
            counts = _write(source, schema, columns, crs, options, key, user, reporter, notes, rows)
    except _Failed as failure:
        return _finish(job, failure.problems, repairs, warnings, notes, Counts(), reporter)
    return _finish(job, [], repairs, warnings, notes, counts, reporter)


def _check_mode(schema: Schema, options: ImportOptions, user: User | None) -> str | None:
    """The key the import matches rows by, once the mode and key are known to fit the target (and the user,
    `_permission_refusal`)."""
    if options.mode not in ImportJob.Mode.values:
        raise _Failed([Problem(None, _("Unknown import mode {mode}; the modes: {modes}.").format(
            mode=options.mode, modes="、".join(ImportJob.Mode.values)), code="unknown_mode")])
    if options.mode not in schema.modes:
        raise _Failed([Problem(None, _("{target} can only be imported in the modes {modes}, not {mode}.").format(
            target=schema.label, modes="、".join(schema.modes), mode=options.mode), code="mode_not_supported")])
    refusal = _permission_refusal(schema, options.mode, user)
    if refusal is not None:
        raise _Failed([refusal])
    key = options.key or schema.key
    if options.key and options.key not in (schema.key, *schema.keys):
        raise _Failed([Problem(None, _("{target} can only be matched by {keys}, not by {key}.").format(
            target=schema.label, keys="、".join(dict.fromkeys((schema.key, *schema.keys))), key=options.key),
            code="unknown_key")])
    return key


def may_import(user: User, schema: Schema) -> bool:
    """Whether a user may import a target at all: with the add permission of the rows it writes, or (grids)
    with the right to propose grid changes, whose `replace` becomes a change request (`proposals`)."""
    return user.has_perm(schema.permission) or (
        schema.target == "grids" and user.has_perm("adjustments.add_changerequest"))


def _permission_refusal(schema: Schema, mode: str, user: User | None) -> Problem | None:
    """Why the user may not run this import (None: they may; the command line always may). Changing current
    grids directly is the street's grid centre's (`approve_changerequest`); a community's clerk replaces their
    community's layer as one change request for the centre to approve."""
    if user is None or (schema.target == "grids" and (user.has_perm("adjustments.approve_changerequest")
                                                      or proposes(schema.target, mode, user))):
        return None
    if schema.target == "grids" and mode != ImportJob.Mode.CREATE:
        return Problem(None, "更新或替换现有网格需要网格中心的审批权限；社区可用“替换”方式导入本社区的整个网格图层，"
                             "作为一个调整申请提交，或在网格调整页提交调整申请", code="needs_approval")
    if not user.has_perm(schema.permission):
        return Problem(None, f"您的账号没有导入{schema.label}的权限（{schema.permission}）", code="no_permission")
    return None


def _propose(rows: list[CheckedFeature], options: ImportOptions, user: User, job: ImportJob, warnings: int,
             notes: list[str]) -> Counts:
    """The file as one change request instead of a write (`proposals`); the counts are what approval would do."""
    try:
        proposed = propose(rows, user=user, job=job, scope=_scope_area(user), warnings=warnings,
                           dry_run=options.dry_run)
    except WriteError as error:
        raise _Failed(error.problems) from None
    except Refused as refusal:
        raise _Failed(refusal.problems) from None
    request = job.change_request
    if request is not None:
        notes.append(f"已提交调整申请 #{request.pk}，待街道网格中心审批后生效；审批前网格不变")
    elif proposed.created or proposed.updated or proposed.ended:
        notes.append("试导入：将提交一个调整申请，批准后生效")
    else:
        notes.append("文件与现行网格相同，无需提交调整申请")
    return Counts(proposed.created, proposed.updated, proposed.unchanged, proposed.ended)


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
        raise _Failed([Problem(None, str(error), code=error.code)]) from None
    schema = SCHEMAS[options.target]
    if schema.geometry is GeometryKind.NONE and source.format in ("CSV", "XLSX"):
        return parse_crs("cgcs2000")  # a table without geometry: nothing to transform
    if declared and given and declared != given and not source.crs_from_spec:
        raise _Failed([Problem(None, _("The file declares the coordinate system {declared}, not the {given} given; "
                                       "to go by the file, give no --crs.").format(declared=declared.name,
                                                                                   given=given.name),
                               code="crs_mismatch")])
    if given:
        if declared and source.crs_from_spec and declared != given:
            notes.append(_("{format} is WGS84 by its specification: read as {crs}, as given.").format(
                format=source.format, crs=given.name))
        return given
    if declared:
        return declared
    raise _Failed([Problem(None, _("The file declares no coordinate system: name it with --crs (such as EPSG:4545, "
                                   "cgcs2000, wgs84, gcj02, bd09)."), code="crs_missing")])


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


def _check_all(source: SourceFile, schema: Schema, columns: dict[str, str], crs, options: ImportOptions,
               key: str | None, repairs: list[Problem], reporter: "_ProgressReporter") -> None:
    """Pass 1: every feature, every problem, keeping no rows (memory stays bounded); buildings' keys against
    the stored ones too. Raises _Failed."""
    errors: list[Problem] = []
    keys: dict[str, int] = {}
    stored = BuildingKeys(key) if schema.target == "buildings" else None
    good = done = 0
    for rows, problems, read in _checked_batches(source, schema, columns, crs, options.fix, repairs):
        errors += problems
        for row in rows:
            value = row.values[key] if key else None
            if value is not None and value in keys:
                errors.append(Problem(row.number, _("{key} {value} repeats feature {number}.").format(
                    key=key, value=value, number=keys[value]), row.raw.attributes, code="duplicate_key"))
            elif value is not None:
                keys[value] = row.number
        if stored is not None:
            errors += building_key_problems(rows, stored, options.mode, crs)
        good += len(rows)
        done += read
        reporter("check", done, source.count)
    if errors:
        raise _Failed(errors)
    if not good:
        raise _Failed([Problem(None, _("The file has no features."), code="no_features")])


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
                        (float(coords[error.index, 0]), float(coords[error.index, 1])), error.code)]
    transformed = shapely.transform(geoms, lambda xy: np.column_stack(to_storage(xy[:, 0], xy[:, 1], crs)))
    for row, geom in zip(with_geometry, transformed):
        row.geometry = geom
    return []


def _rows_of(source: SourceFile, schema: Schema, columns: dict[str, str], crs, options: ImportOptions
             ) -> list[CheckedFeature]:
    """Every checked row of the file (pass 1 found them all good), for targets whose rows link to each other."""
    return [row for rows, _, _ in _checked_batches(source, schema, columns, crs, options.fix, repairs=[]) for row in rows]


def _write(source: SourceFile, schema: Schema, columns: dict[str, str], crs, options: ImportOptions, key: str | None,
           user: User | None, reporter: "_ProgressReporter", notes: list[str],
           rows: list[CheckedFeature] | None) -> Counts:
    """Pass 2, reading the file again (unless pass 1 kept the `rows`), in one transaction (rolled back for a
    dry run). Targets without links between rows are written batch by batch; the others (parents, areas) need
    the whole file."""
    if rows is None and schema.target in STREAMED_TARGETS:
        batches = ((rows, read) for rows, _, read in
                   _checked_batches(source, schema, columns, crs, options.fix, repairs=[]))
    else:
        batches = iter([(rows if rows is not None else _rows_of(source, schema, columns, crs, options), source.count)])
    counts = Counts()
    done = 0
    job = reporter.job
    try:
        with transaction.atomic():
            ctx = WriteContext(department=_department(options), scope=_scope_area(user), mode=options.mode, key=key)
            if schema.target in ("grids", "business_grids"):
                ctx.generation = create_generation(f"导入{schema.label}：{source.path.name}", user)
            placed: list[int] = []
            for batch, read in batches:
                written = WRITERS[schema.target](batch, ctx)
                _keep_sources(written, crs, job)
                for c in written:
                    setattr(counts, c.action, getattr(counts, c.action) + 1)
                placed += [c.pk for c in written if c.model == "buildings.Building"]
                done += read
                reporter("write", done, source.count)
            counts.ended -= counts.updated if schema.target == "grids" else 0  # an updated grid's old row ends
            counts.unchanged = ctx.unchanged
            notes += ctx.notes
            if schema.target == "grids":
                place_buildings()  # 以房定户: every building may move to a new grid
                if options.mode != ImportJob.Mode.CREATE:
                    follow_base_grids(ctx.generation, _origins(job))  # aligned business grids follow
            elif schema.target == "buildings":
                place_buildings(placed)  # only the new and moved ones need placing; the grids stay
            if options.dry_run:
                raise _DryRun
            job.generation = ctx.generation
    except _DryRun:
        return counts
    except WriteError as error:
        raise _Failed(error.problems) from None
    except DatabaseError as error:
        refusal = refusal_of(error)
        raise _Failed([Problem(None, f"数据库拒绝写入：{refusal.message}", code=refusal.code)]) from None
    return counts


def _origins(job: ImportJob) -> dict[int, int]:
    """New grid row id -> the row of the same code it replaced, in this import."""
    records = job.features.filter(model="grids.Grid").exclude(number=0)
    ended = dict(records.filter(action=ImportedFeature.Action.ENDED).values_list("number", "object_id"))
    return {pk: ended[n] for n, pk in records.filter(action=ImportedFeature.Action.UPDATED)
            .values_list("number", "object_id")}


def _scope_area(user: User | None) -> Area | None:
    """The area an import by this user must stay inside; None for superusers and the command line."""
    if user is None or user.is_superuser:
        return None
    scope = scope_of(user)
    if scope is None:
        raise WriteError([Problem(None, _("Your account has no area: it cannot import."), code="no_scope")])
    return scope.area or scope.department.area


def _department(options: ImportOptions) -> Department | None:
    if not options.department_code:
        return None
    department = Department.objects.filter(code=options.department_code).first()
    if department is None:
        raise WriteError([Problem(None, _("There is no department {code}.").format(code=options.department_code),
                                  code="unknown_department")])
    return department


def _keep_sources(written: list[Created], crs, job: ImportJob) -> None:
    """What the import did to each row, with the raw record (geometry in the file's CRS, attributes) of the
    file's row and an updated row's previous values, by COPY."""
    fields = ["job", "number", "model", "object_id", "raw_crs", "raw_wkt", "attributes", "action", "previous"]
    copy_rows(ImportedFeature, fields, [
        (job.pk, c.row.number if c.row else 0, c.model, c.pk, crs.name,
         c.row.raw.geometry.wkt if c.row and c.row.raw.geometry is not None else "",
         json.dumps({k: _jsonable(v) for k, v in c.row.raw.attributes.items()} if c.row else {}, ensure_ascii=False),
         c.action, json.dumps(c.previous, ensure_ascii=False) if c.previous is not None else None)
        for c in written
    ])


def _jsonable(value):
    return value if isinstance(value, (str, int, float, bool)) or value is None else str(value)


def _finish(job: ImportJob, errors: list[Problem], repairs: list[Problem], warnings: list[Problem], notes: list[str],
            counts: Counts, reporter: "_ProgressReporter") -> ImportResult:
    """Close the log. Counts: created, updated, unchanged and ended rows; a dry run's (and a submitted change
    request's, until approved) go under would_create, would_update and would_end (unchanged is the same either
    way)."""
    reporter.close()
    dry_run = job.options.get("dry_run", False)
    submitted = job.change_request_id is not None  # nothing written: a change request awaits approval
    job.status = (ImportJob.Status.FAILED if errors else ImportJob.Status.CHECKED if dry_run else
                  ImportJob.Status.SUBMITTED if submitted else ImportJob.Status.SUCCEEDED)
    job.progress = 100
    job.finished_at = timezone.now()
    done = not errors and not dry_run and not submitted
    would = (dry_run or submitted) and not errors
    job.counts = {"errors": len(errors), "repairs": len(repairs), "warnings": len(warnings),
                  "created": counts.created if done else 0, "updated": counts.updated if done else 0,
                  "ended": counts.ended if done else 0, "unchanged": counts.unchanged,
                  "would_create": counts.created if would else 0, "would_update": counts.updated if would else 0,
                  "would_end": counts.ended if would else 0}
    job.report = {"errors": [p.as_dict() for p in errors[:MAX_REPORTED]],
                  "repairs": [p.as_dict() for p in repairs[:MAX_REPORTED]],
                  "warnings": [p.as_dict() for p in warnings[:MAX_REPORTED]], "notes": notes}
    job.save()
    return ImportResult(job, errors, repairs, notes, job.counts["created"] or job.counts["would_create"], warnings)


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

    job = ImportJob.objects.create(user=user, file_name=upload.name, target=options.target, mode=options.mode,
                                   options=_options_for_log(options))
    path = store_upload(upload, "imports", job)
    transaction.on_commit(lambda: import_uploaded_file.enqueue(job_id=job.pk, path=str(path)))
    return job


# ---- undo ------------------------------------------------------------------------------------------------

class UndoRefused(DomainError):
    """An import cannot be undone: not a finished import, or something later depends on what it wrote."""

    code = "undo_blocked"
    status = 409


@transaction.atomic
def undo_import(*, job: ImportJob, user: User | None = None) -> ImportJob:
    """Take an import back while nothing later depends on it: rows it created go (versioned rows end, in a new
    generation), rows it updated get their previous values back, grids it ended come back as new versions
    (staff, business-grid links and child grids follow the code back). Refused with `not_undoable` for an
    import that did not write, and `undo_blocked` (naming what depends on it) otherwise."""
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status != ImportJob.Status.SUCCEEDED:
        raise UndoRefused(_("The import #{job} is “{status}”: only an import that wrote its rows can be undone."
                            ).format(job=job.pk, status=job.get_status_display()), code="not_undoable")
    records = list(job.features.all())
    blockers = _dependents(job, records)
    if blockers:
        raise UndoRefused(_("The import #{job} cannot be undone: {blockers}. Undo the later imports or edits first."
                            ).format(job=job.pk, blockers="；".join(blockers)), blockers=blockers)
    generation = None
    try:
        with pghistory.context(reason=f"undo import {job.pk}"):
            for label in sorted({r.model for r in records}):
                model = apps.get_model(label)
                mine = [r for r in records if r.model == label]
                if issubclass(model, Versioned):
                    generation = generation or create_generation(f"撤销导入 #{job.pk}：{job.file_name}"[:200], user)
                    _undo_versioned(model, mine, generation)
                else:
                    _undo_rows(model, mine)
            if job.target in ("grids", "buildings"):
                place_buildings()
            if job.target == "grids":
                follow_base_grids(generation, {})
    except ProtectedError:
        raise UndoRefused(f"不能撤销导入 #{job.pk}：其他数据仍在使用它写入的记录") from None
    except DatabaseError as error:
        raise UndoRefused(f"不能撤销导入 #{job.pk}：{refusal_of(error).message}") from None
    job.status = ImportJob.Status.UNDONE
    job.undone_at, job.undone_by = timezone.now(), user
    job.save(update_fields=["status", "undone_at", "undone_by"])
    return job


def _written(records: list[ImportedFeature]) -> list[int]:
    return [r.object_id for r in records if r.action != ImportedFeature.Action.ENDED]


def _dependents(job: ImportJob, records: list[ImportedFeature]) -> list[str]:
    """What keeps the import from being undone, in words: later imports touching the same rows, versioned
    rows it wrote that a later edit ended, and (grids) child grids or staff added to its grids since."""
    found = []
    later = ImportedFeature.objects.filter(job__pk__gt=job.pk, job__status=ImportJob.Status.SUCCEEDED)
    for label in sorted({r.model for r in records}):
        ids = [r.object_id for r in records if r.model == label]
        jobs = sorted(set(later.filter(model=label, object_id__in=ids).values_list("job_id", flat=True)))
        if jobs:
            found.append(f"后来的导入 {'、'.join(f'#{j}' for j in jobs)} 修改了它写入的记录")
    grids = Grid.objects.filter(pk__in=_written([r for r in records if r.model == Grid._meta.label]))
    if not grids:
        return found
    edited = sorted(g.code for g in grids if g.generation_high_id is not None)
    if edited:
        found.append(f"网格 {'、'.join(edited)} 已被后来的调整修改")
    children = sorted(Grid.objects.current().filter(parent__in=grids).exclude(pk__in=grids).values_list("code", flat=True))
    if children:
        found.append(f"后来新增的下级网格 {'、'.join(children)} 依赖它导入的网格")
    ended_codes = set(Grid.objects.filter(pk__in=[r.object_id for r in records if r.model == Grid._meta.label
                                                  and r.action == ImportedFeature.Action.ENDED]).values_list("code", flat=True))
    staffed = grids.exclude(code__in=ended_codes).filter(staff__isnull=False).distinct()
    if staffed:
        staff_jobs = sorted(set(later.filter(model=StaffMember._meta.label, object_id__in=StaffMember.objects.filter(
            grids__in=staffed).values("pk")).values_list("job_id", flat=True)))
        by = f"（导入 {'、'.join(f'#{j}' for j in staff_jobs)}）" if staff_jobs else ""
        found.append(f"网格 {'、'.join(sorted(g.code for g in staffed))} 已配置工作人员{by}")
    return found


def _undo_versioned(model, records: list[ImportedFeature], generation: Generation) -> None:
    """End the rows the import wrote; bring the rows it ended back as new versions (in level order, parents
    mapped to their restored versions), each taking the links of the row that had replaced it."""
    written = {row.code: row for row in model.objects.filter(pk__in=_written(records))}
    retire(model.objects.filter(pk__in=[row.pk for row in written.values()]), generation)
    ended = model.objects.filter(pk__in=[r.object_id for r in records if r.action == ImportedFeature.Action.ENDED])
    restored: dict[int, int] = {}  # ended row id -> its restored version
    for row in sorted(ended, key=lambda g: getattr(g, "level", 0)):
        original = model.objects.get(pk=row.pk)
        row.pk = row.id = None
        row._state.adding = True
        row.generation_low, row.generation_high = generation, None
        if getattr(row, "parent_id", None) in restored:
            row.parent_id = restored[row.parent_id]
        row.save()
        restored[original.pk] = row.pk
        if model is Grid:  # links follow from the row that replaced it, else from the ended row itself
            carry_links(written.get(row.code, original), row)


def _undo_rows(model, records: list[ImportedFeature]) -> None:
    """Delete the rows the import created; give the rows it updated their previous values back."""
    model.objects.filter(pk__in=[r.object_id for r in records if r.action == ImportedFeature.Action.CREATED]).delete()
    for record in records:
        if record.action != ImportedFeature.Action.UPDATED:
            continue
        row = model.objects.get(pk=record.object_id)
        for name, value in record.previous.items():
            field = model._meta.get_field(name)
            if field.many_to_many:
                getattr(row, name).set(value)
                continue
            setattr(row, name, GEOSGeometry(value, srid=field.srid) if isinstance(field, GeometryField) and value
                    else value)
        row.save()
