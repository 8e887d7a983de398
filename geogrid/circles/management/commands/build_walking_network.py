"""`manage.py build_walking_network [--osm FILE.osm.pbf] [--speed 1.1] [--tobler [--dem DEM.tif]] [--name NAME]`.

Without --osm the network is built from the roads layer (geogrid.roads). --tobler makes edge costs follow
the slope (Tobler's hiking function) from the DEM, by default the hillshade raster of the settings.
"""
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from geogrid.circles.management.common import progress_bar
from geogrid.circles.network import WALKING_SPEED_MPS
from geogrid.circles.services import CirclesError, build_network_from_osm, build_network_from_roads


class Command(BaseCommand):
    help = "Build a walking network (pgRouting-ready) from the roads layer or an OpenStreetMap extract."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--osm", type=Path, help="an OpenStreetMap extract (.osm.pbf), read with pyrosm")
        parser.add_argument("--speed", type=float, default=WALKING_SPEED_MPS, help="walking speed on the flat, m/s")
        parser.add_argument("--tobler", action="store_true", help="slope-dependent costs (Tobler) from a DEM")
        parser.add_argument("--dem", type=Path, help="DEM GeoTIFF in metres (default: GEOGRID_RASTERS hillshade)")
        parser.add_argument("--name", help="the network's name")

    def handle(self, *args, osm: Path | None, speed: float, tobler: bool, dem: Path | None, name: str | None,
               verbosity: int, **options) -> None:
        dem_path = (dem or Path(settings.GEOGRID_RASTERS["hillshade"]["path"])) if tobler else None
        if dem_path is not None and not dem_path.exists():
            raise CommandError(f"找不到高程数据 {dem_path} / DEM not found")
        try:
            with progress_bar(disable=verbosity < 1) as report:
                if osm:
                    network = build_network_from_osm(osm, name=name, speed=speed, dem_path=dem_path, progress=report)
                else:
                    network = build_network_from_roads(name=name or "道路图层步行路网", speed=speed, dem_path=dem_path,
                                                       progress=report)
        except CirclesError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(
            f"network {network.pk} “{network.name}”: {network.vertex_count} vertices, {network.edge_count} edges, "
            f"{network.length_km:.1f} km, {network.speed_mps} m/s{', Tobler' if network.tobler else ''}"))
