"""The working-day calendar: seeding from chinese-calendar and deadline arithmetic across real 2026 holidays.

2026 (国务院办公厅 notice, as shipped in chinese-calendar 1.11.0): Spring Festival off Sun 15 – Mon 23 February,
make-up Saturdays 14 and 28 February; Mid-autumn off Fri 25 September; National Day off Thu 1 – Wed 7 October,
make-up Sun 20 September and Sat 10 October. The package knows no year after 2026.
"""
from datetime import date, datetime, timedelta, UTC
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from geogrid.workdays.models import CalendarDay, CalendarYear
from geogrid.workdays.selectors import (
    Deadline, add_working_days, add_working_hours, is_workday, load_calendar, working_days_between,
)
from geogrid.workdays.services import PACKAGE_SOURCE, package_exceptions, package_years, seed_from_chinese_calendar

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def test_the_demo_load_seeded_every_year_the_package_knows():
    assert package_years() == range(2004, 2027)
    assert dict(CalendarYear.objects.values_list("year", "source")) == dict.fromkeys(package_years(), PACKAGE_SOURCE)
    assert PACKAGE_SOURCE == "chinese-calendar 1.11.0"
    spring = CalendarDay.objects.filter(date__range=(date(2026, 2, 14), date(2026, 2, 28)))
    assert list(spring.values_list("date", "is_workday", "name")) == [
        (date(2026, 2, 14), True, "春节"),  # make-up Saturday
        *[(date(2026, 2, d), False, "春节") for d in (16, 17, 18, 19, 20, 23)],  # weekdays off; 21-22 are a weekend
        (date(2026, 2, 28), True, "春节"),
    ]


def test_seeding_twice_changes_nothing_and_repairs_edits():
    before = list(CalendarDay.objects.values_list("date", "is_workday", "name"))
    trail = CalendarDay.audit_trail.rel.related_model.objects.count()
    assert seed_from_chinese_calendar() == 0
    assert list(CalendarDay.objects.values_list("date", "is_workday", "name")) == before
    assert CalendarDay.audit_trail.rel.related_model.objects.count() == trail  # no write at all

    CalendarDay.objects.filter(date=date(2026, 10, 1)).update(name="国庆")
    CalendarDay.objects.filter(date=date(2026, 10, 2)).delete()
    CalendarDay.objects.create(date=date(2026, 10, 9), is_workday=False, name="误录")
    CalendarYear.objects.filter(year=2025).update(source="chinese-calendar 1.10.0")
    assert seed_from_chinese_calendar(range(2025, 2027)) == 4
    assert list(CalendarDay.objects.values_list("date", "is_workday", "name")) == before
    assert CalendarYear.objects.get(year=2025).source == PACKAGE_SOURCE


def test_seeding_only_stores_exceptions_to_the_weekday_rule():
    exceptions = package_exceptions(2026)
    assert all(is_workday == (day.weekday() >= 5) for day, (is_workday, _) in exceptions.items())
    assert len(exceptions) == 25  # 33 holiday dates, 14 of them at a weekend; plus 6 make-up days


def test_seeding_leaves_a_year_entered_by_hand_alone():
    CalendarYear.objects.filter(year=2026).update(source=CalendarYear.MANUAL)
    CalendarDay.objects.create(date=date(2026, 10, 8), is_workday=False, name="国庆节")  # a local extra day
    CalendarDay.objects.filter(date=date(2026, 10, 10)).delete()
    assert seed_from_chinese_calendar() == 0
    assert CalendarYear.objects.get(year=2026).source == CalendarYear.MANUAL
    assert CalendarDay.objects.filter(date=date(2026, 10, 8)).exists()
    assert not CalendarDay.objects.filter(date=date(2026, 10, 10)).exists()


def test_seeding_a_year_the_package_does_not_know_is_refused():
    with pytest.raises(ValueError, match="2031"):
        seed_from_chinese_calendar(range(2030, 2032))


def test_a_row_that_is_no_exception_is_refused_by_validation():
    with pytest.raises(ValidationError):
        CalendarDay(date=date(2027, 3, 1), is_workday=True, name="春节").full_clean()  # a Monday
    with pytest.raises(ValidationError):
        CalendarDay(date=date(2027, 3, 6), is_workday=False, name="春节").full_clean()  # a Saturday
    CalendarDay(date=date(2027, 3, 6), is_workday=True, name="春节").full_clean()


def test_is_workday_follows_holidays_and_make_up_days():
    assert not is_workday(date(2026, 2, 16))  # Monday of Spring Festival
    assert is_workday(date(2026, 2, 14))  # make-up Saturday
    assert not is_workday(date(2026, 2, 21))  # Saturday inside the holiday
    assert is_workday(date(2026, 3, 2)) and not is_workday(date(2026, 3, 1))  # ordinary Monday and Sunday


def test_deadline_across_spring_festival():
    # Thursday 12 Feb 15:00, 5 working days: Fri 13, Sat 14 (make-up), Tue 24, Wed 25, Thu 26 → end of Thu 26.
    # By weekends alone it would be Fri 20 at 24:00.
    assert add_working_days(at(2026, 2, 12, 15), 5) == Deadline(at(2026, 2, 27))


def test_the_time_of_receipt_within_the_day_does_not_matter():
    assert add_working_days(at(2026, 2, 12, 8, 0), 5) == add_working_days(at(2026, 2, 12, 23, 59), 5)


def test_a_ticket_received_on_a_holiday_counts_from_the_next_working_day():
    # Wednesday 18 Feb (初二): the first working day after it is Tue 24, the first day counted.
    assert add_working_days(at(2026, 2, 18, 10), 1) == Deadline(at(2026, 2, 25))
    assert add_working_days(at(2026, 2, 18, 10), 2) == Deadline(at(2026, 2, 26))


def test_a_make_up_saturday_counts_as_a_working_day():
    # Wed 25 Feb, 3 working days: Thu 26, Fri 27, Sat 28 (make-up) → end of Saturday.
    assert add_working_days(at(2026, 2, 25, 9), 3) == Deadline(at(2026, 3, 1))
    # Fri 18 Sep, 5 working days: Sun 20 (make-up), Mon 21 … Thu 24 → before Mid-autumn on Fri 25.
    assert add_working_days(at(2026, 9, 18, 16), 5) == Deadline(at(2026, 9, 25))


def test_deadline_across_national_day_golden_week():
    # Wed 30 Sep, 2 working days: the week off 1–7 Oct, then Thu 8 and Fri 9.
    assert add_working_days(at(2026, 9, 30, 9), 2) == Deadline(at(2026, 10, 10))
    # a third day is the make-up Saturday 10 Oct
    assert add_working_days(at(2026, 9, 30, 9), 3) == Deadline(at(2026, 10, 11))


def test_a_year_beyond_the_known_ones_counts_weekends_only_with_a_warning():
    deadline = add_working_days(at(2031, 1, 3, 15), 2)  # Friday → Mon 6, Tue 7
    assert deadline == Deadline(
        at(2031, 1, 8), estimated=True,
        warning="2031年节假日未录入，按周末计算 / holidays for 2031 are not known; weekends only",
    )


def test_a_span_reaching_into_an_unknown_year_is_estimated():
    # Wed 30 Dec 2026, 5 days: Thu 31, then 2027 by weekends alone (New Year's Day 1 Jan counts as working).
    deadline = add_working_days(at(2026, 12, 30, 11), 5)
    assert deadline.at == at(2027, 1, 7)
    assert deadline.estimated and deadline.warning.startswith("2027年节假日未录入")


def test_a_later_year_entered_by_hand_is_honoured():
    CalendarYear.objects.create(year=2027, source=CalendarYear.MANUAL)
    CalendarDay.objects.bulk_create([
        *[CalendarDay(date=date(2027, 2, d), is_workday=False, name="春节") for d in (8, 9, 10, 11, 12)],
        CalendarDay(date=date(2027, 2, 20), is_workday=True, name="春节"),
    ])
    # Fri 5 Feb 2027, 2 working days: the week of 8 Feb is off → Mon 15, Tue 16.
    assert add_working_days(at(2027, 2, 5, 15), 2) == Deadline(at(2027, 2, 17))
    # Fri 19 Feb: the make-up Saturday 20 Feb is the first day.
    assert add_working_days(at(2027, 2, 19, 15), 1) == Deadline(at(2027, 2, 21))


def test_deadlines_are_computed_in_local_time():
    # 17:00 UTC on Thu 12 Feb is 01:00 on Fri 13 in Shanghai: received on the 13th, not the 12th.
    received = datetime(2026, 2, 12, 17, tzinfo=UTC)
    deadline = add_working_days(received, 5)  # Sat 14, Tue 24, Wed 25, Thu 26, Fri 27
    assert deadline.at == at(2026, 2, 28) and deadline.at.tzinfo.key == "Asia/Shanghai"
    with pytest.raises(ValueError, match="aware"):
        add_working_days(datetime(2026, 2, 12, 15), 5)
    with pytest.raises(ValueError):
        add_working_days(received, 0)


def test_working_hours_stop_on_rest_days():
    # Fri 13 Feb 20:00 + 8 h: 4 h on Friday, 4 h on the make-up Saturday.
    assert add_working_hours(at(2026, 2, 13, 20), 8) == Deadline(at(2026, 2, 14, 4))
    # Sat 14 Feb 20:00 + 8 h: 4 h on Saturday, then the clock stops until Tue 24.
    assert add_working_hours(at(2026, 2, 14, 20), 8) == Deadline(at(2026, 2, 24, 4))
    # received on a holiday: the clock starts at 00:00 of the next working day
    assert add_working_hours(at(2026, 10, 4, 10), 2) == Deadline(at(2026, 10, 8, 2))
    # a whole working day of hours from a rest day ends where one working day does
    assert add_working_hours(at(2026, 10, 4, 10), 24) == add_working_days(at(2026, 10, 4, 10), 1)
    assert add_working_hours(at(2026, 3, 2, 9), 3) == Deadline(at(2026, 3, 2, 12))
    assert add_working_hours(at(2031, 1, 3, 22), 4).estimated


def test_working_days_between_counts_only_working_time():
    # Thu 12 Feb 12:00 → Tue 24 Feb 12:00: ½ + Fri 13 + Sat 14 (make-up) + ½ = 3 working days
    assert working_days_between(at(2026, 2, 12, 12), at(2026, 2, 24, 12)) == 3.0
    assert working_days_between(at(2026, 2, 24, 12), at(2026, 2, 12, 12)) == -3.0
    # overdue by: due at the end of Thu 26 Feb; on Mon 2 Mar 06:00 that is Fri 27 + Sat 28 + ¼
    due = add_working_days(at(2026, 2, 12, 15), 5).at
    assert working_days_between(due, at(2026, 3, 2, 6)) == 2.25
    assert working_days_between(at(2026, 10, 1), at(2026, 10, 8)) == 0.0
    assert working_days_between(at(2026, 3, 2, 9), at(2026, 3, 2, 9) + timedelta(hours=6)) == 0.25


def test_one_loaded_calendar_serves_many_computations(django_assert_num_queries):
    with django_assert_num_queries(2):
        calendar = load_calendar()
    with django_assert_num_queries(0):
        for day in range(1, 28):
            add_working_days(at(2026, 2, day, 10), 5, calendar=calendar)
        assert not is_workday(date(2026, 10, 1), calendar=calendar)
