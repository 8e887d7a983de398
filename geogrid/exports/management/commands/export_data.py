"""`manage.py export_data --target grids --format gpkg --crs gcj02 [--area CODE] -o grids.gpkg`."""
import shutil
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from geogrid.core.crs import CoordinateError, parse_crs
from geogrid.exports.services import FORMATS, ExportError, export_layer


class Command(BaseCommand):
    help = "Export current grids, areas, business grids or stations (or the XLSX grid ledger) in any CRS."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--target", required=True, choices=["grids", "areas", "business_grids", "stations"])
        parser.add_argument("--format", required=True, choices=sorted(FORMATS))
        parser.add_argument("--crs", default="cgcs2000", help="cgcs2000 (default), wgs84, gcj02, bd09 or EPSG:nnnn")
        parser.add_argument("--area", help="only inside this area code (street or community)")
        parser.add_argument("--department", help="only this department's business grids")
        parser.add_argument("-o", "--output", type=Path, required=True)

    def handle(self, *args, **opts) -> None:
        try:
            exported = export_layer(opts["target"], opts["format"], parse_crs(opts["crs"]), area_code=opts["area"],
                                    department_code=opts["department"])
        except (ExportError, CoordinateError) as error:
            raise CommandError(str(error)) from None
        shutil.move(exported.path, opts["output"])
        self.stdout.write(self.style.SUCCESS(f"{exported.count} → {opts['output']}"))
