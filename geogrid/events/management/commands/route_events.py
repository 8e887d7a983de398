"""manage.py route_events: re-route open tickets to the grids their locations are in now (after boundary edits)."""
from django.core.management.base import BaseCommand

from geogrid.events.services import route_events


class Command(BaseCommand):
    help = "按当前网格边界重新定位所有未办结工单 / re-route open tickets after boundary changes (set-based, batched)"

    def handle(self, *args, **options) -> None:
        moved = route_events(progress=options["verbosity"] > 0)
        self.stdout.write(f"re-routed {moved} tickets to a different grid")
