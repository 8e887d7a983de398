"""`manage.py renumber_grids --area CODE [--apply]`: preview, then apply, codes by the coding rule."""
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from geogrid.areas.models import Area
from geogrid.grids.selectors import propose_codes
from geogrid.grids.services import apply_codes


class Command(BaseCommand):
    help = "Renumber the current grids of a community (or every community of a street) by GEOGRID_GRID_CODE_RULE."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--area", required=True, help="community or street code")
        parser.add_argument("--apply", action="store_true", help="write the new codes (default: preview only)")

    def handle(self, *args, area: str, apply: bool, **options) -> None:
        communities = Area.objects.communities().filter(code__startswith=Area.code_prefix(area)).order_by("code")
        if not communities:
            raise CommandError(f"没有区划 {area} 下的社区/村 / no community under {area}")
        with transaction.atomic():
            changed = 0
            for community in communities:
                changes = propose_codes(community)
                moving = [c for c in changes if c.old != c.new]
                changed += len(moving)
                for change in moving:
                    self.stdout.write(f"{community.name}  {change.old} → {change.new}  {change.grid.name}")
                if apply:
                    apply_codes(changes)
        verb = "已重新编码 renumbered" if apply else "预览（加 --apply 写入）preview (add --apply)"
        self.stdout.write(self.style.SUCCESS(f"{verb}: {changed} 个网格 grids"))
