"""`manage.py load_demo [--reset]`: the demo town (三穗县: 城关街道 and 武笔街道) with its grids, people, events and
terrain; a database loaded before 武笔街道 existed gets it added.

The demo logins get random passwords when they are created (and logins still holding the shared password of
earlier releases get new ones): printed once and kept in var/demo-logins.txt. GEOGRID_DEMO_PASSWORD gives them
all that password instead (the test suite)."""
import os
import time

from django.core.management.base import BaseCommand
from django.db.models import Count, Sum

from geogrid.areas.models import Area
from geogrid.buildings.models import Building
from geogrid.demo import services
from geogrid.demo.services import DEM_PATH, DEMO_USERS, load_demo_town, record_demo_logins, set_demo_passwords
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
        known = os.environ.get("GEOGRID_DEMO_PASSWORD") or None
        passwords = set_demo_passwords(known)
        if passwords and known is None:
            record_demo_logins(passwords, services.DEMO_LOGINS_PATH)
        if verbosity < 1:
            return
        if loaded:
            self.stdout.write(self.style.SUCCESS(f"demo town loaded in {time.perf_counter() - started:.1f} s"))
            self._summary()
        else:
            self.stdout.write("demo town already loaded (use --reset to load it again)")
        if known is not None:
            self.stdout.write("demo logins (password: GEOGRID_DEMO_PASSWORD):")
        elif passwords:
            self.stdout.write(self.style.WARNING(
                f"demo logins (new passwords, shown this once; kept in {services.DEMO_LOGINS_PATH}):"))
        else:
            self.stdout.write(f"demo logins (passwords in {services.DEMO_LOGINS_PATH}, set at an earlier load):")
        for user in DEMO_USERS:
            password = passwords.get(user.username, "") if known is None else ""
            self.stdout.write(f"  {user.username:<10} {password:<18} {user.sees}")

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
