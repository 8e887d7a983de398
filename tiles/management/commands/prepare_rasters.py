"""Make once what the raster tiles are drawn from: the hillshade of every DEM in `GEOGRID_RASTERS` that has none
or an out-of-date one (scripts/serve.sh runs it at start; `load_demo` does it for the demo DEM)."""
from subprocess import CalledProcessError

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tiles.layers import raster_sources
from tiles.raster import RasterUnavailable
from tiles.services import prepare_raster


class Command(BaseCommand):
    help = gettext_lazy("Make the hillshade of every DEM in GEOGRID_RASTERS that has none or an out-of-date one")

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help=gettext_lazy("make them again even when up to date"))

    def handle(self, *args, force: bool = False, **options):
        failed = 0
        for raster in raster_sources().values():
            try:
                made = prepare_raster(raster, force=force)
            except RasterUnavailable as error:
                self.stdout.write(_("{name}: skipped ({message})").format(name=raster.name, message=error.message))
                continue
            except CalledProcessError as error:
                failed += 1
                self.stderr.write(_("{name}: GDAL failed: {error}").format(name=raster.name,
                                                                          error=error.stderr.strip()))
                continue
            if made:
                self.stdout.write(_("{name}: hillshade made").format(name=raster.name))
        if failed:
            raise CommandError(_("{count} raster(s) could not be prepared").format(count=failed))
