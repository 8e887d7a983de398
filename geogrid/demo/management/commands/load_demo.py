"""`manage.py load_demo [--reset]`: the demo town (三穗县: 城关街道 and 武笔街道) with its grids, people, events and
terrain; a database loaded before 武笔街道 existed gets it added."""
import time

from django.core.management.base import BaseCommand
from django.db.models import Count, Sum

from geogrid.areas.models import Area
from geogrid.buildings.models import Building
from geogrid.demo.services import DEM_PATH, DEMO_PASSWORD, DEMO_USERS, load_demo_town
from geogrid.departments.models import Department
from geogrid.events.models import Event
from geogrid.grids.models import Grid
from geogrid.staff.models import StaffMember


class Command(BaseCommand):
    help = "Load the demo town (城关街道 and 武笔街道, 三穗县): areas, grids, buildings, roads, staff, events, business grids, DEM."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--reset", action="store_true",
            help="first delete the demo data (every row of the demo tables: this is a demo database)",
        )

    def handle(self, *args, reset: bool, verbosity: int, **options) -> None:
        started = time.perf_counter()
        loaded = load_demo_town(reset=reset, progress=verbosity >= 1)
        if verbosity < 1:
            return
        if loaded:
            self.stdout.write(self.style.SUCCESS(f"demo town loaded in {time.perf_counter() - started:.1f} s"))
            self._summary()
        else:
            self.stdout.write("demo town already loaded (use --reset to load it again)")
        self.stdout.write(f"demo logins (password: {DEMO_PASSWORD}):")
        for user in DEMO_USERS:
            self.stdout.write(f"  {user.username:<10} {user.sees}")

    def _summary(self) -> None:
        grids = Grid.objects.current()
        levels = dict(grids.values_list("level").annotate(n=Count("id")).order_by("level"))
        buildings = Building.objects.aggregate(n=Count("id"), households=Sum("households"), people=Sum("population"))
        layers = ", ".join(f"{d.name} {d.n}" for d in Department.objects.annotate(n=Count("business_grids")))
        lines = [
            f"communities/villages: {Area.objects.communities().count()}",
            "grids: " + ", ".join(f"level {level}: {n}" for level, n in levels.items()),
            f"buildings: {buildings['n']}, households: {buildings['households']}, population: {buildings['people']}",
            f"staff: {StaffMember.objects.count()}, events: {Event.objects.count()}",
            f"business grids: {layers}",
            f"DEM: {DEM_PATH}",
        ]
        for line in lines:
            self.stdout.write(f"  {line}")
