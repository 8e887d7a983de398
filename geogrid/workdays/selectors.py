"""Working-day arithmetic for deadlines (时限) and the measures built on them (overdue-by, scores).

The rule: Monday to Friday are working days, except for the days stored in `CalendarDay`. A year missing from
`CalendarYear` is computed by that rule anyway (its weekends are certain, its holidays unknown), and any
`Deadline` that touches it is marked `estimated` with a warning: a ticket must never fail to get a deadline.

Time is counted on a working clock that runs through the whole of each working day (24 h) and stops on rest
days. Office hours are not modelled: they differ by place and by season (夏令/冬令作息), and hour limits in
grid work are short urgent ones (赶到现场) that do not wait for the office to open.

Every function reads the calendar (two small queries, a few hundred rows in all) unless given one: code that
computes many deadlines (lists, scores) calls `load_calendar()` once and passes it as `calendar=`. Nothing is
cached between calls, so an edit in the admin counts at once, in every process, and a rolled-back
transaction leaves nothing stale behind. All times are computed in settings.TIME_ZONE (Asia/Shanghai).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from geogrid.workdays.models import CalendarDay, CalendarYear

DAY = timedelta(days=1)


@dataclass(frozen=True)
class Deadline:
    """When a time limit runs out: due strictly before `at` (overdue from `at` on).

    `estimated` is True when the span reaches into a year whose holidays are not entered (`CalendarYear`);
    `warning` then names those years, in Chinese and English, for showing next to the deadline.
    """

    at: datetime
    estimated: bool = False
    warning: str = ""


@dataclass(frozen=True)
class WorkCalendar:
    """The calendar as read once: {day: is_workday} for the exceptions, and the years known to be complete."""

    exceptions: Mapping[date, bool]
    known_years: frozenset[int]

    def is_workday(self, day: date) -> bool:
        return self.exceptions.get(day, day.weekday() < 5)

    def next_workday(self, day: date) -> date:
        """The first working day after `day`."""
        day += DAY
        while not self.is_workday(day):
            day += DAY
        return day

    def deadline(self, at: datetime, first: date, last: date) -> Deadline:
        """`at`, estimated if any year from `first` to `last` is not known."""
        unknown = [year for year in range(first.year, last.year + 1) if year not in self.known_years]
        if not unknown:
            return Deadline(at)
        years = [str(year) for year in unknown]
        warning = (f"{'、'.join(years)}年节假日未录入，按周末计算 / "
                   f"holidays for {', '.join(years)} are not known; weekends only")
        return Deadline(at, estimated=True, warning=warning)


def load_calendar() -> WorkCalendar:
    return WorkCalendar(
        exceptions=dict(CalendarDay.objects.values_list("date", "is_workday")),
        known_years=frozenset(CalendarYear.objects.values_list("year", flat=True)),
    )


def is_workday(day: date, *, calendar: WorkCalendar | None = None) -> bool:
    return (calendar or load_calendar()).is_workday(day)


def add_working_days(start: datetime, days: int, *, calendar: WorkCalendar | None = None) -> Deadline:
    """The deadline of "within `days` working days" (N个工作日内) for something received at `start`: the end
    (24:00) of the `days`-th working day after the day of receipt.

    Why: this is how Chinese law counts periods, and what 12345 and grid centres print on a ticket. The day of
    receipt is not counted and counting starts the next day (民法典 第二百零一条); a period given in working
    days leaves out rest days (行政许可法 第八十二条); the last day ends at 24:00 (民法典 第二百零三条). So a
    ticket received on Monday at 15:00 or at 08:00 with 5 working days is due by Monday 24:00 a week later,
    and one received on a Saturday counts from Monday as its first day. `days` must be at least 1: a
    same-day limit is given in hours (`add_working_hours`).
    """
    if days < 1:
        raise ValueError(f"a limit in working days must be at least 1, not {days}")
    cal = calendar or load_calendar()
    received = _local(start).date()
    last = received
    for _ in range(days):
        last = cal.next_workday(last)
    return cal.deadline(_midnight(last + DAY), received, last)


def add_working_hours(start: datetime, hours: int, *, calendar: WorkCalendar | None = None) -> Deadline:
    """The deadline `hours` hours of working clock after `start` (the clock stops on rest days, see above):
    on a working day, `start` + `hours` if that is still the same day; received on a rest day, the clock
    starts at 00:00 of the next working day."""
    if hours < 0:
        raise ValueError(f"a limit in working hours cannot be negative: {hours}")
    cal = calendar or load_calendar()
    moment = _local(start)
    received = day = moment.date()
    if not cal.is_workday(day):
        day = cal.next_workday(day)
        moment = _midnight(day)
    remaining = timedelta(hours=hours)
    while moment + remaining > _midnight(day + DAY):
        remaining -= _midnight(day + DAY) - moment
        day = cal.next_workday(day)
        moment = _midnight(day)
    return cal.deadline(moment + remaining, received, day)


def working_days_between(start: datetime, end: datetime, *, calendar: WorkCalendar | None = None) -> float:
    """Working-clock time from `start` to `end`, in working days (negative when `end` is earlier): how long a
    ticket took, or by how much it is overdue (`working_days_between(deadline.at, now)`)."""
    if end < start:
        return -working_days_between(end, start, calendar=calendar)
    cal = calendar or load_calendar()
    start, end = _local(start), _local(end)
    total = timedelta()
    day = start.date()
    while day <= end.date():
        if cal.is_workday(day):
            total += min(end, _midnight(day + DAY)) - max(start, _midnight(day))
        day += DAY
    return total / DAY


def _local(moment: datetime) -> datetime:
    if timezone.is_naive(moment):
        raise ValueError(f"an aware datetime is needed, not the naive {moment}")
    return timezone.localtime(moment, timezone.get_default_timezone())


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())
