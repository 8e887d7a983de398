"""Seeding the working-day calendar from the `chinese-calendar` package (PyPI, MIT).

The package ships the State Council's yearly holiday notices (国务院办公厅关于节假日安排的通知) as data, with
Chinese names for each holiday; it knows the years up to the latest published notice. Later years are entered
by staff in the admin and marked `CalendarYear.MANUAL`, and seeding leaves those years alone.
"""
from datetime import date, timedelta
from importlib.metadata import version

import chinese_calendar
from django.db import transaction

from geogrid.workdays.models import CalendarDay, CalendarYear

PACKAGE_SOURCE = f"chinese-calendar {version('chinese-calendar')}"


def package_years() -> range:
    """The years the installed package has holiday data for."""
    known = chinese_calendar.holidays.keys()
    return range(min(known).year, max(known).year + 1)


def package_exceptions(year: int) -> dict[date, tuple[bool, str]]:
    """{day: (is_workday, Chinese holiday name)} for the days of `year` that break the Monday-to-Friday rule.

    Weekend days inside a holiday are no exception (they are rest days anyway) and are left out.
    """
    exceptions = {}
    day = date(year, 1, 1)
    while day.year == year:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
        if on_holiday == (day.weekday() < 5):
            exceptions[day] = (not on_holiday, chinese_calendar.Holiday(name).chinese)
        day += timedelta(days=1)
    return exceptions


@transaction.atomic
def seed_from_chinese_calendar(years: range | None = None) -> int:
    """Bring the calendar in line with the package for `years` (default: every year it knows); returns the
    number of rows created, changed or deleted, so 0 on a second run.

    Years marked `CalendarYear.MANUAL` are skipped: staff entered them on purpose. A seeded year is replaced
    day by day (a newer package version may correct a day), which keeps the audit trail to real changes.
    """
    available = package_years()
    years = available if years is None else years
    if unknown := [year for year in years if year not in available]:
        raise ValueError(f"{PACKAGE_SOURCE} has no data for {unknown}; "
                         f"it knows {available.start}–{available.stop - 1}")
    manual = set(CalendarYear.objects.filter(source=CalendarYear.MANUAL).values_list("year", flat=True))
    changed = 0
    for year in years:
        if year not in manual:
            changed += _seed_year(year)
    return changed


def _seed_year(year: int) -> int:
    wanted = package_exceptions(year)
    stored = {row.date: row for row in CalendarDay.objects.filter(date__year=year)}
    stale = [row.pk for day, row in stored.items() if day not in wanted]
    changed = CalendarDay.objects.filter(pk__in=stale).delete()[0] if stale else 0
    for day, (is_workday, name) in wanted.items():
        row = stored.get(day)
        if row is None:
            CalendarDay.objects.create(date=day, is_workday=is_workday, name=name)
        elif (row.is_workday, row.name) != (is_workday, name):
            row.is_workday, row.name = is_workday, name
            row.save(update_fields=["is_workday", "name"])
        else:
            continue
        changed += 1
    known, created = CalendarYear.objects.get_or_create(year=year, defaults={"source": PACKAGE_SOURCE})
    if created:
        return changed + 1
    if known.source != PACKAGE_SOURCE:  # seeded by an older package version
        known.source = PACKAGE_SOURCE
        known.save(update_fields=["source"])
        return changed + 1
    return changed
