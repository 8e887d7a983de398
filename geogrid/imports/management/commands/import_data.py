"""`manage.py import_data FILE --target grids [--mode create|update|replace] [--key address|id] [--crs EPSG:4545]
[--map code=WGBM] [--fix] [--dry-run]`; `manage.py import_data --undo JOB_ID`."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from geogrid.core.api import DomainError
from geogrid.imports.models import ImportJob
from geogrid.imports.schemas import SCHEMAS
from geogrid.imports.services import ImportOptions, run_import, undo_import


def _pairs(option: str, items: list[str]) -> dict[str, str]:
    """`FIELD=VALUE` items as a dict."""
    pairs = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep:
            raise CommandError(_("{option} needs FIELD=VALUE, not {item}.").format(option=option, item=item))
        pairs[name.strip()] = value.strip()
    return pairs


class Command(BaseCommand):
    help = ("Import GeoJSON, zipped Shapefile, GeoPackage, KML, CSV or XLSX into GeoGrid: all of it or none of it. "
            "Targets and their fields are documented in the README (Import section).")

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, nargs="?")
        parser.add_argument("--target", choices=sorted(SCHEMAS))
        parser.add_argument("--mode", choices=ImportJob.Mode.values, default=ImportJob.Mode.CREATE,
                            help="create: refuse keys already stored; update: changed rows become new versions, "
                                 "new keys are added; replace: the file is each of its communities' whole grid layer")
        parser.add_argument("--key", help="the field that matches rows to stored ones (buildings: address or id)")
        parser.add_argument("--undo", type=int, metavar="JOB_ID", help="undo an import (nothing later may depend on it)")
        parser.add_argument("--crs", help="when the file declares none: EPSG:4545, cgcs2000, wgs84, gcj02, bd09")
        parser.add_argument("--layer", help="the layer of a GeoPackage or KML with several")
        parser.add_argument("--encoding", help="attribute encoding of a shapefile without .cpg or a CSV, e.g. gbk")
        parser.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN",
                            help="read FIELD from COLUMN (repeatable)")
        parser.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", dest="constants",
                            help="give FIELD this value in every row, e.g. --set kind=社区 (repeatable)")
        parser.add_argument("--department", help="department code (business grids)")
        parser.add_argument("--fix", action="store_true", help="repair invalid geometry and drop Z/M; lists each repair")
        parser.add_argument("--dry-run", action="store_true", help="check everything, write nothing")

    def handle(self, *args, file: Path | None, verbosity: int, **opts) -> None:
        if opts["undo"] is not None:
            self._undo(opts["undo"])
            return
        if file is None or opts["target"] is None:
            raise CommandError(_("Give a file and --target (or --undo JOB_ID)."))
        options = ImportOptions(target=opts["target"], crs=opts["crs"], layer=opts["layer"],
                                encoding=opts["encoding"], mapping=_pairs("--map", opts["map"]),
                                department_code=opts["department"], fix=opts["fix"], dry_run=opts["dry_run"],
                                constants=_pairs("--set", opts["constants"]), mode=opts["mode"], key=opts["key"])
        bars: dict[str, tqdm] = {}

        def progress(phase: str, done: int, total: int) -> None:
            if verbosity < 1:
                return
            labels = {"check": _("Checking"), "write": _("Writing")}
            bar = bars.get(phase) or bars.setdefault(phase, tqdm(total=total, desc=labels[phase], unit=_("features")))
            bar.update(done - bar.n)

        result = run_import(file, options, progress=progress)
        for bar in bars.values():
            bar.close()
        self._report(result, verbosity)
        if not result.ok:
            raise CommandError(_("The import failed: nothing was written to the database ({errors} errors; log "
                                 "#{job}).").format(errors=len(result.errors), job=result.job.pk))

    def _undo(self, job_id: int) -> None:
        job = ImportJob.objects.filter(pk=job_id).first()
        if job is None:
            raise CommandError(_("There is no import job #{job}.").format(job=job_id))
        try:
            undo_import(job=job)
        except DomainError as error:
            raise CommandError(f"{error.message} [{error.code}]") from None
        self.stdout.write(self.style.SUCCESS(_("Undid the import #{job} ({file}).").format(job=job.pk,
                                                                                      file=job.file_name)))

    def _report(self, result, verbosity: int) -> None:
        for note in result.notes:
            self.stdout.write(_("Note: {note}").format(note=note))
        for warning in result.warnings:
            at = f" @ {warning.location[0]:.6f},{warning.location[1]:.6f}" if warning.location else ""
            piece = f"\n    {warning.wkt}" if warning.wkt and verbosity >= 2 else ""
            self.stdout.write(_("Warning [{code}]: {where}{message}").format(
                code=warning.code or "-", where=_feature(warning.number), message=warning.message) + at + piece)
        for repair in result.repairs:
            self.stdout.write(_("Repair [{code}]: {where}{message}").format(
                code=repair.code or "-", where=_feature(repair.number), message=repair.message))
        for error in result.errors:
            at = f" @ {error.location[0]:.6f},{error.location[1]:.6f}" if error.location else ""
            attrs = f"  {error.attributes}" if error.attributes and verbosity >= 1 else ""
            self.stderr.write(_("Error [{code}]: {where}{message}").format(
                code=error.code or "-", where=_feature(error.number), message=error.message) + at + attrs)
        job = result.job
        if result.ok:
            dry = job.options.get("dry_run")
            created, updated, ended = (job.counts[k] for k in (
                ("would_create", "would_update", "would_end") if dry else ("created", "updated", "ended")))
            summary = (_("Dry run passed; it would create {created}, update {updated}, leave {unchanged} unchanged and "
                         "end {ended}") if dry else
                       _("Imported: created {created}, updated {updated}, unchanged {unchanged}, ended {ended}"))
            self.stdout.write(self.style.SUCCESS(
                summary.format(created=created, updated=updated, unchanged=job.counts["unchanged"], ended=ended)
                + f" ({job.target}, {job.mode}, CRS {job.source_crs}; log #{job.pk})"))


def _feature(number: int | None) -> str:
    """"Feature 17: " before a problem of one feature, nothing before one of the whole file."""
    return _("Feature {number}: ").format(number=number) if number else ""
