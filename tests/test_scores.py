"""Monthly rates and the grid worker's score sheet from tickets with known timings (March-April 2025, whose
holidays are known: Qingming is Friday 4 April), and the dashboard's XLSX export."""
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from django.db.models import Value
from openpyxl import load_workbook

from geogrid.core.crs import parse_point
from geogrid.events import services
from geogrid.events.selectors import events_visible_to
from geogrid.events.models import Event, EventCategory
from geogrid.grids.models import Grid
from geogrid.scores.models import ScoreItem, ScoreMark, ScoreSheet
from geogrid.scores.rates import Counts, last_months, response_deadlines, ticket_rates
from geogrid.scores.selectors import worker_sheets
from geogrid.scores.services import record_mark
from geogrid.workdays.models import CalendarYear
from geogrid.workdays.selectors import add_working_days, add_working_hours, load_calendar
from tests.helpers import interior_point_of

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
MARCH, APRIL = date(2025, 3, 1), date(2025, 4, 1)
NOW = datetime(2025, 5, 6, 12, tzinfo=TZ)


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=TZ)


def user(name: str) -> User:
    return User.objects.get(username=name)


def grid() -> Grid:
    return Grid.objects.current().filter(level=1, children__isnull=True).order_by("code").first()


def report(when: datetime, code: str = "0701") -> Event:
    """A ticket by the community's grid worker (public order → the police station, user "police")."""
    lon, lat = interior_point_of(grid().code)
    new = services.NewReport(category=EventCategory.objects.get(code=code), description="测试工单",
                             point=parse_point(lon, lat, "cgcs2000"))
    return services.report(new=new, user=user("community"), at=when)[0]


def steps(event: Event, *moves: tuple) -> Event:
    """Apply (action, username, when[, note][, data]) steps with explicit times."""
    for action, username, when, *rest in moves:
        note = rest[0] if rest and isinstance(rest[0], str) else "说明"
        data = rest[-1] if rest and isinstance(rest[-1], dict) else {}
        event = services.transition(event_id=event.pk, action=action, user=user(username), note=note, at=when,
                                    params=services.StepParams(**data))
    return event


def dispatched(reported: datetime, dispatched_at: datetime) -> Event:
    event = report(reported)
    return steps(event, ("accept", "street", reported), ("dispatch", "street", dispatched_at))


def finish(event: Event, fed_back: datetime, closed: datetime, satisfied: bool) -> Event:
    return steps(event, ("feed_back", "police", fed_back), ("verify", "street", fed_back),
                 ("close", "community", closed, {"satisfied": satisfied}))


@pytest.fixture
def march():
    """Dispatched Monday 3 March 10:00: response due by Wednesday 5 March 24:00 (2 working days), handling due
    by Monday 10 March 24:00 (5 working days).
    A: signed at once, fed back 7 March, satisfied — on time.
    B: signed on 6 March (late), fed back 12 March (late), not satisfied.
    C: signed, fed back, failed verification and re-dispatched, fed back again 7 March — on time, reworked.
    D: dispatched Monday 24 March (due 31 March 24:00 = in April), 3 more working days granted: due 7 April
       24:00 (4 April is Qingming); never finished.
    E: reported 31 March, dispatched 1 April 00:30 Beijing time (still 31 March in UTC): an April dispatch.
    G: dispatched, sent back by the unit, then merged into A as a duplicate: excluded.
    F: returned at review: excluded."""
    a = dispatched(at(3, 3, 9), at(3, 3))
    b = dispatched(at(3, 3, 9), at(3, 3))
    c = dispatched(at(3, 3, 9), at(3, 3))
    g = dispatched(at(3, 3, 9), at(3, 3))
    steps(a, ("start", "police", at(3, 4)))
    steps(b, ("start", "police", at(3, 6, 9)))
    steps(c, ("start", "police", at(3, 3, 11)), ("feed_back", "police", at(3, 5)), ("verify", "street", at(3, 5)),
          ("redispatch", "community", at(3, 5, 15), "仍有堵塞"), ("start", "police", at(3, 6)))
    g = steps(g, ("send_back", "police", at(3, 3, 12), "非本单位"), ("merge", "street", at(3, 4), {"into": a.pk}))
    a = finish(a, at(3, 7), at(3, 8), True)
    b = finish(b, at(3, 12), at(3, 12, 16), False)
    c = finish(c, at(3, 7), at(3, 7, 16), True)
    d = dispatched(at(3, 24, 9), at(3, 24))
    steps(d, ("start", "police", at(3, 24, 11)), ("request_extension", "police", at(3, 25), {"days": 3}),
          ("grant_extension", "street", at(3, 25, 11)))
    e = report(at(3, 31, 20))
    steps(e, ("accept", "street", at(3, 31, 21)), ("dispatch", "street", at(4, 1, 0, 30)))
    f = report(at(3, 10))
    f = steps(f, ("return", "street", at(3, 10, 11), "照片不清"))
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "g": g}


def test_the_fixture_deadlines_are_as_described(march):
    d = Event.objects.get(pk=march["d"].pk)
    assert d.due_at == datetime(2025, 4, 8, tzinfo=TZ)
    assert march["g"].merged_into_id == march["a"].pk and march["f"].status == "returned"


def test_rates_of_march_with_exact_counts(march):
    report = ticket_rates(user("street"), [MARCH, APRIL], now=NOW)
    total = report.total[MARCH]
    # dispatched in March: A, B, C, D (G merged, E dispatched in April Beijing time)
    assert (total.dispatched, total.response_decided, total.responded_on_time) == (4, 4, 3)
    assert (total.due, total.due_closed, total.closed_on_time, total.overdue_or_reworked) == (3, 3, 2, 2)
    assert (total.closed_dispatched, total.reworked, total.followed_up, total.satisfied) == (3, 1, 3, 2)
    assert total.rates() == {"response": 0.75, "on_time": 0.6667, "satisfaction": 0.6667,
                             "overdue_rework": 0.6667, "closure": 1.0, "rework": 0.3333, "extension": 0.25}


def test_a_month_boundary_in_beijing_time_and_a_deadline_moved_by_an_extension(march):
    april = ticket_rates(user("street"), [MARCH, APRIL], now=NOW).total[APRIL]
    assert (april.dispatched, april.response_decided, april.responded_on_time) == (1, 1, 0)  # E, never signed
    # due in April, both open: D (7 April 24:00 after its extension) and E (9 April 24:00)
    assert (april.due, april.due_closed, april.closed_on_time, april.overdue_or_reworked) == (2, 0, 0, 2)
    assert april.rate("on_time") == 0.0 and april.rate("satisfaction") is None


def test_undecided_tickets_wait_until_their_deadline_passes(march):
    early = ticket_rates(user("street"), [MARCH, APRIL], now=at(4, 2)).total[APRIL]
    assert (early.dispatched, early.response_decided) == (1, 0)  # E's response time runs to 3 April 24:00
    assert early.due == 0  # D and E are due later in April
    assert early.rate("response") is None


def test_groups_by_grid_department_community_and_worker(march):
    report = ticket_rates(user("street"), [MARCH], now=NOW)
    police = dict(report.rows("department", MARCH))
    assert police["城关派出所"].rates()["on_time"] == 0.6667
    [(worker, counts)] = report.rows("worker", MARCH)
    assert worker == "community" and counts.due == 3
    [(name, by_grid)] = report.rows("grid", MARCH)
    assert name.endswith(f"（{grid().code}）") and by_grid == report.total[MARCH]
    assert report.rows("community", MARCH)[0][1] == report.total[MARCH]


def test_a_department_sees_only_its_own_tickets(march):
    assert ticket_rates(user("police"), [MARCH], now=NOW).total[MARCH].dispatched == 4
    other = User.objects.create_user("nobody")
    assert ticket_rates(other, [MARCH], now=NOW).total[MARCH] == Counts()


def test_a_response_limit_in_working_hours_stops_over_the_weekend():
    category = EventCategory.objects.get(code="0702")
    category.limit_unit, category.accept_limit = EventCategory.LimitUnit.HOURS, 4
    category.save()
    friday_night = at(3, 7, 22)  # 2 working hours on Friday, 2 more from Monday 00:00: due Monday 02:00
    for signed in (at(3, 10, 1, 59), at(3, 10, 2, 1)):
        event = report(at(3, 7, 20), code="0702")
        steps(event, ("accept", "street", friday_night), ("dispatch", "street", friday_night),
              ("start", "police", signed))
    total = ticket_rates(user("street"), [MARCH], now=NOW).total[MARCH]
    assert (total.response_decided, total.responded_on_time) == (2, 1)


def test_a_response_limit_in_working_days_skips_the_qingming_holiday():
    event = dispatched(at(4, 3, 9), at(4, 3))  # Thursday; Friday 4 April is Qingming: due by Tuesday 8 April 24:00
    steps(event, ("start", "police", at(4, 8, 12)))
    total = ticket_rates(user("street"), [APRIL], now=NOW).total[APRIL]
    assert (total.response_decided, total.responded_on_time) == (1, 1)


def test_a_scope_whose_sql_holds_a_literal_percent_sign(march, monkeypatch):
    """The scope's own SQL may hold literal "%" (a pattern lookup on an expression compiles to LIKE ... '%%')
    next to its positional placeholders; the rates still count exactly the tickets in it."""
    Event.objects.filter(pk__in=[march["a"].pk, march["b"].pk]).update(description="堵塞100%_未清")
    narrowed = lambda u: events_visible_to(u).filter(description__contains=Value("100%_"))  # noqa: E731
    sql, params = narrowed(user("street")).query.sql_with_params()
    assert "%%" in sql and params  # the case this test is about
    monkeypatch.setattr("geogrid.scores.rates.events_visible_to", narrowed)
    total = ticket_rates(user("street"), [MARCH], now=NOW).total[MARCH]
    # A (on time, satisfied) and B (signed late, finished late, not satisfied) only
    assert (total.dispatched, total.responded_on_time, total.due, total.closed_on_time, total.satisfied) \
        == (2, 1, 2, 1, 1)


WORKDAYS, HOURS = EventCategory.LimitUnit.WORKDAYS, EventCategory.LimitUnit.HOURS


def python_deadline(start: datetime, limit: int, unit: str, calendar) -> datetime:
    add = add_working_hours if unit == HOURS else add_working_days
    return add(start, limit, calendar=calendar).at


def test_python_and_sql_deadlines_agree_on_every_day_of_2020_to_2030():
    """Every day of 2020-2030 at 00:00 and at 15:47:30.5, each with a working-day and a working-hour limit (the
    limits cycle through 1-9 days and 0-49 hours), on the demo load's calendar (chinese-calendar)."""
    assert {2020, 2025} <= set(CalendarYear.objects.values_list("year", flat=True))  # real holidays in the span
    calendar = load_calendar()
    rows = []
    for i in range((date(2031, 1, 1) - date(2020, 1, 1)).days):
        day = date(2020, 1, 1) + timedelta(days=i)
        for clock in (time(0), time(15, 47, 30, 500000)):
            start = datetime.combine(day, clock, TZ)
            rows += [(start, 1 + i % 9, WORKDAYS), (start, i % 50, HOURS)]
    disagree = [(row, sql, python) for row, sql, python in
                zip(rows, response_deadlines(rows), (python_deadline(*row, calendar) for row in rows)) if sql != python]
    assert disagree == []


limits = st.one_of(st.tuples(st.integers(1, 30), st.just(WORKDAYS)), st.tuples(st.integers(0, 240), st.just(HOURS)))
starts = st.datetimes(datetime(2020, 1, 1), datetime(2030, 12, 31, 23, 59, 59, 999999), timezones=st.just(TZ))


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(starts, limits), min_size=1, max_size=25))
def test_python_and_sql_deadlines_agree_at_any_moment(cases):
    """Random moments (to the microsecond) and limits in working days (1-30) and working hours (0-240)."""
    rows = [(start, limit, unit) for start, (limit, unit) in cases]
    calendar = load_calendar()
    assert response_deadlines(rows) == [python_deadline(*row, calendar) for row in rows]


def rest_and_make_up_days() -> list[date]:
    """The days where the two sides can part: every stored exception of 2020-2030 (holidays off, 调休 working
    weekends), the day on either side of each, and the weekends of the years without exceptions."""
    exceptions = load_calendar().exceptions
    assert any(exceptions.values()) and not all(exceptions.values())  # both kinds are in the table
    known = set(CalendarYear.objects.values_list("year", flat=True))
    span = [date(2020, 1, 1) + timedelta(days=i) for i in range((date(2031, 1, 1) - date(2020, 1, 1)).days)]
    near = {day + timedelta(days=shift) for day in exceptions for shift in (-1, 0, 1)}
    return [day for day in span if day in near or (day.year not in known and day.weekday() >= 5)]


clocks = st.times()  # midnight, the last microsecond and everything between


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_python_and_sql_deadlines_agree_from_holidays_weekends_and_make_up_saturdays(data):
    """Starts on the calendar's own holidays, 调休 Saturdays and Sundays, their neighbours and plain weekends,
    at any time of day, with 1-30 working days (and 0-240 working hours)."""
    days = rest_and_make_up_days()
    cases = data.draw(st.lists(st.tuples(st.sampled_from(days), clocks, limits), min_size=1, max_size=25))
    rows = [(datetime.combine(day, clock, TZ), limit, unit) for day, clock, (limit, unit) in cases]
    calendar = load_calendar()
    assert response_deadlines(rows) == [python_deadline(*row, calendar) for row in rows]

def test_last_months_ends_with_this_month():
    assert last_months(3, date(2025, 1, 15)) == [date(2024, 11, 1), date(2024, 12, 1), date(2025, 1, 1)]


# ---- the grid worker's sheet -----------------------------------------------------------------------------------

def items() -> dict[str, ScoreItem]:
    return {item.name: item for item in ScoreSheet.objects.get(area__isnull=True).items.all()}


def sheet_of(username: str, month: date = MARCH):
    return next(s for s in worker_sheets(user("street"), month) if s.worker.username == username)


def test_the_default_sheet_is_seed_003s(march):
    sheet = ScoreSheet.objects.get(area__isnull=True)
    assert [(i.name, i.max_points) for i in sheet.items.all()] == [
        ("出勤率", 20), ("群众工作", 20), ("信息采集数量和质量", 40), ("倒追考核", 20)]
    assert sheet.pass_mark == 60 and sum(i.max_points for i in sheet.items.all()) == 100
    assert [(b.direction, b.threshold, b.adjustment) for b in sheet.bands.order_by("threshold")] == [
        ("below", 150, -10), ("above", 170, 2), ("above", 200, 3), ("above", 250, 5)]


def test_the_sheet_total_from_tickets_and_marks(march):
    worker, chosen = user("community"), items()
    record_mark(worker, date(2025, 3, 12), chosen["出勤率"], Decimal("-0.5"), "电话督查未接听")
    record_mark(worker, MARCH, chosen["出勤率"], Decimal("-0.5"), "电话督查未接听")
    record_mark(worker, MARCH, chosen["群众工作"], Decimal(-3), "满意率低于60%")
    record_mark(worker, MARCH, chosen["倒追考核"], Decimal(-10), "暗访发现违建未上报")
    record_mark(worker, APRIL, chosen["倒追考核"], Decimal(-10), "四月的不算在三月")
    sheet = sheet_of("community")
    # valid: A B C D E (accepted); F returned; G merged: quality 5/6 ≥ 80 %; 5 × 5 = 25 points < 150
    assert (sheet.valid_tickets, sheet.returned_tickets, sheet.ticket_points) == (5, 1, 25)
    assert sheet.quality == 0.8333
    assert [item.points for item in sheet.items] == [19, 17, 30, 10]
    assert sheet.total == 76 and sheet.passed and sheet.disqualified
    assert sheet.verdict == "合格（取消当月绩效资格）"
    assert ScoreMark.objects.filter(worker=worker).first().audit_trail.count() == 1


def test_bands_quality_and_the_fail_threshold(march):
    default = ScoreSheet.objects.get(area__isnull=True)
    default.points_per_ticket = 40  # 5 valid tickets: 200 points, above 170 (not above 200): +2
    default.quality_floor = 90  # 5/6 is under 90 %: -5
    default.save()
    worker, chosen = user("community"), items()
    assert sheet_of("community").items[2].points == 37
    record_mark(worker, MARCH, chosen["倒追考核"], Decimal(-20), "两件长期未上报")
    record_mark(worker, MARCH, chosen["群众工作"], Decimal(-25), "扣分不会低于零")
    sheet = sheet_of("community")
    assert [item.points for item in sheet.items] == [20, 0, 37, 0]
    assert sheet.total == 57 and not sheet.passed and sheet.verdict == "不合格"
    record_mark(worker, MARCH, chosen["倒追考核"], Decimal(4), "复核撤销部分扣分")
    assert sheet_of("community").total == 61
    record_mark(worker, MARCH, chosen["信息采集数量和质量"], Decimal(-10), "上报不及时造成贻误", veto=True)
    vetoed = sheet_of("community")
    assert vetoed.total == 51 and vetoed.verdict == "不合格（一票否决）"


def test_a_county_sheet_replaces_the_default_for_its_workers(march):
    street = user("community").scope.area.parent
    local = ScoreSheet.objects.create(name="本街道考核表", area=street, points_per_ticket=50)
    local.items.create(order=1, name="信息采集", max_points=100, source="tickets")
    sheet = sheet_of("community")
    assert sheet.sheet == local and sheet.total == 100  # 250 ticket points, but this sheet has no bands yet
    local.bands.create(direction="above", threshold=200, adjustment=3)
    assert sheet_of("community").total == 103


# ---- the XLSX export -------------------------------------------------------------------------------------------

def test_the_export_has_the_rates_and_the_sheet(march, client):
    client.force_login(user("street"))
    response = client.get("/dashboard/export.xlsx", {"month": "2025-03", "months": "2"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["月度汇总", "网格", "社区", "责任单位", "网格员", "网格员月考核"]
    summary = [list(row) for row in book["月度汇总"].iter_rows(values_only=True)]
    assert summary[0][:9] == ["月份", "及时响应率", "按时办结率", "回访满意率", "逾期重办率", "办结率", "返工率", "延期率",
                              "派遣件数"]
    assert summary[1][:8] == ["2025-02", None, None, None, None, None, None, None]
    assert summary[2][:8] == ["2025-03", 0.75, 0.6667, 0.6667, 0.6667, 1.0, 0.3333, 0.25]
    departments = [list(row) for row in book["责任单位"].iter_rows(values_only=True)]
    assert departments[0][0] == "责任单位（2025-03）" and departments[1][0] == "城关派出所"
    assert departments[1][1:8] == [0.75, 0.6667, 0.6667, 0.6667, 1.0, 0.3333, 0.25]
    assert book["网格"]["B2"].number_format == "0.0%"
    sheet = [list(row) for row in book["网格员月考核"].iter_rows(values_only=True)]
    row = next(r for r in sheet if r[0] == "community")
    assert row[1:4] == [5, 1, 25] and row[-2:] == [90, "合格（取消当月绩效资格）"]


def test_the_page_shows_the_month_tables_and_the_sheet(march, client):
    client.force_login(user("street"))
    page = client.get("/dashboard/", {"month": "2025-03"})
    assert page.status_code == 200 and page.context["month"] == MARCH
    assert dict(page.context["kpis"])["按时办结率"] == 0.6667
    tables = dict(page.context["tables"])
    assert [name for name, *_ in tables["责任单位"]] == ["城关派出所"]
    assert "合格（取消当月绩效资格）" in page.content.decode()
