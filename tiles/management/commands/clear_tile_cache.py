"""Empty the tile cache by hand (edits never need this: triggers delete exactly the tiles they touch)."""
from django.core.management.base import BaseCommand

from tiles.services import clear_tile_cache


class Command(BaseCommand):
    help = "删除瓦片缓存（全部，或 --tileset 指定的瓦片集，如 grids-1、raster:hillshade）"

    def add_arguments(self, parser):
        parser.add_argument("--tileset", help="only this tileset")

    def handle(self, *args, tileset: str | None = None, **options):
        deleted = clear_tile_cache(tileset)
        self.stdout.write(f"deleted {deleted} cached tiles")
