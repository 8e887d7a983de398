"""`manage.py seed_holidays [--years FIRST LAST]`: official holidays and make-up workdays from chinese-calendar."""
from django.core.management.base import BaseCommand, CommandError, CommandParser

from geogrid.workdays.models import CalendarDay, CalendarYear
from geogrid.workdays.services import PACKAGE_SOURCE, package_years, seed_from_chinese_calendar


class Command(BaseCommand):
    help = ("Seed the working-day calendar (节假日调整) from the chinese-calendar package; idempotent. "
            "Years entered by hand (手工录入) are left alone.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--years", nargs=2, type=int, metavar=("FIRST", "LAST"),
                            help="only these years (default: every year the package knows)")

    def handle(self, *args, years: list[int] | None, **options) -> None:
        try:
            changed = seed_from_chinese_calendar(range(years[0], years[1] + 1) if years else None)
        except ValueError as error:
            raise CommandError(error) from error
        available = package_years()
        manual = list(CalendarYear.objects.filter(source=CalendarYear.MANUAL).values_list("year", flat=True))
        lines = [
            f"{PACKAGE_SOURCE} knows {available.start}–{available.stop - 1}; rows changed: {changed}",
            f"calendar: {CalendarDay.objects.filter(is_workday=False).count()} weekdays off, "
            f"{CalendarDay.objects.filter(is_workday=True).count()} make-up workdays, "
            f"{CalendarYear.objects.count()} known years",
            f"entered by hand (left alone): {', '.join(map(str, manual)) or 'none'}",
        ]
        for line in lines:
            self.stdout.write(line)
