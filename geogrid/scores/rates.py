"""Monthly ticket rates (考核指标) per grid, community, department, grid worker and in total, for one user's scope.

Seeds 000/001 score units and centres on 及时响应率, 按时办结率, 回访满意率 and 逾期重办率; the issue adds 办结率,
返工率 and 延期率. All seven come from one SQL statement over the tickets a user may see (`events_visible_to`)
and their transitions: set-based, whatever the number of tickets.

Which tickets count
-------------------
- Excluded everywhere: merged duplicates (`merged_into` set) and tickets returned at review (status
  ``returned``): they were never work anybody owed.
- A ticket counts for its routing snapshot: its grid, community, department (the unit it is routed to now,
  the one its last dispatch went to) and grid worker (``reported_by``). Tickets without one (outside every
  grid, hotline tickets without a reporting account) form their own row, and always count in the total.
- Months are calendar months in Asia/Shanghai (``settings.TIME_ZONE``). Each ticket lands in a month by the
  moment its rate is about: response and extension rates by its **dispatch**, closure and overdue rates by
  its **deadline** ("due in the month"), satisfaction and rework by its **closure**.
- "Decided" only: a ticket whose deadline is still ahead and that is not yet closed (or not yet signed for)
  is neither on time nor late, so it is left out of that rate until it is (``now`` is the reference).

Terms
-----
- *dispatch*: the ticket's last ``dispatch`` step (the one to its current unit; a unit that sent it back is
  replaced by the next dispatch). Re-dispatch after a failed verification (``redispatch``) is rework, not a
  new dispatch.
- *response deadline*: the dispatch time plus the category's accept limit (受理时限, working days or working
  hours, the same working-day rule as `geogrid.workdays.selectors.add_working_days/_hours`, computed in SQL
  from the holiday table).
- *response*: the first ``start`` (签收) or ``send_back`` (退回非本单位职责: a prompt answer too) after the
  dispatch.
- *deadline* (办理时限): the due date recorded by the dispatch, or by a ``grant_extension`` after it when later.
  A re-dispatch does not move it: rework has to fit in the time the unit had.
- *finished*: for a ticket closed as resolved, its last ``feed_back`` (the unit's work the verification then
  accepted: the centre's verification time is not the unit's delay); for one closed by coordinated handling
  (进入协调处置), the closing moment.

Formulas (n = number of tickets; all rates are fractions 0..1, rounded to 4 places; none when 0/0)
----------------------------------------------------------------------------------------------------
==================  =======================================================================================
及时响应率            n(dispatched in the month, responded by the response deadline)
                    / n(dispatched in the month, responded or response deadline passed)
按时办结率            n(due in the month, closed, finished by the deadline)
                    / n(due in the month, closed or deadline passed)
办结率               n(due in the month, closed) / n(due in the month, closed or deadline passed)
逾期重办率            n(due in the month, closed or deadline passed, and [not finished by the deadline or
                    re-dispatched at least once]) / n(due in the month, closed or deadline passed)
回访满意率            n(closed in the month, follow-up answered satisfied)
                    / n(closed in the month, follow-up answered at all)
返工率               n(closed in the month, dispatched, re-dispatched at least once)
                    / n(closed in the month, dispatched)  — on-the-spot settlements cannot be reworked
延期率               n(dispatched in the month, an extension granted after the dispatch)
                    / n(dispatched in the month)
==================  =======================================================================================
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import connection
from django.utils import timezone

from geogrid.areas.models import Area
from geogrid.departments.models import Department
from geogrid.events.selectors import events_visible_to
from geogrid.grids.models import Grid

DIMENSIONS = {"grid": "网格", "community": "社区/村", "department": "责任单位", "worker": "网格员"}
# What a row without a key stands for, per dimension.
NO_KEY = {"grid": "网格外（街道中心）", "community": "未定位", "department": "未指定单位",
          "worker": "非网格员上报（热线、群众）"}

RATES = (  # (attribute, label, numerator, denominator)
    ("response", "及时响应率", "responded_on_time", "response_decided"),
    ("on_time", "按时办结率", "closed_on_time", "due"),
    ("satisfaction", "回访满意率", "satisfied", "followed_up"),
    ("overdue_rework", "逾期重办率", "overdue_or_reworked", "due"),
    ("closure", "办结率", "due_closed", "due"),
    ("rework", "返工率", "reworked", "closed_dispatched"),
    ("extension", "延期率", "extended", "dispatched"),
)

COUNTS = ("dispatched", "response_decided", "responded_on_time", "extended", "due", "due_closed", "closed_on_time",
          "overdue_or_reworked", "closed", "closed_dispatched", "reworked", "followed_up", "satisfied")

# The working-day calendar from %(first_day)s to some days after %(last_day)s, enough for the longest limit in
# `{limits}` (a relation with an accept_limit column). n: working days up to and including the day (Monday to
# Friday unless the holiday table says otherwise). With RESPONSE_DUE_SQL, this is the SQL twin of
# geogrid.workdays.selectors.add_working_days/_hours (tests/test_scores.py checks that they agree).
CALENDAR_CTE = """cal AS (
    SELECT day, work, (count(*) FILTER (WHERE work) OVER (ORDER BY day))::int AS n
    FROM (SELECT g::date AS day, COALESCE(cd.is_workday, extract(isodow FROM g) < 6) AS work
          FROM generate_series(%(first_day)s::date,
                               %(last_day)s::date + (60 + 3 * (SELECT COALESCE(max(accept_limit), 0) FROM {limits}))
                                                    * interval '1 day',
                               interval '1 day') g
          LEFT JOIN workdays_calendarday cd ON cd.date = g::date) days
)"""

# The response deadline of a row t (accept_limit, limit_unit) received at local.at (local time), r being the
# calendar row of its day: RESPONSE_DUE_FROM joins w, the working day the deadline falls on (joins rather than a
# subquery per row, which the planner can hash), and RESPONSE_DUE_SQL is the deadline.
RESPONSE_DUE_FROM = """CROSS JOIN LATERAL (
        -- working clock: hours since the first day of the calendar, counting working days only
        SELECT 24 * (r.n - r.work::int)
               + CASE WHEN r.work THEN extract(epoch FROM local.at - r.day::timestamp) / 3600 ELSE 0 END
               + t.accept_limit AS hours) clock
    CROSS JOIN LATERAL (
        SELECT CASE WHEN t.limit_unit = 'workdays' THEN r.n + t.accept_limit  -- the accept_limit-th after the day
                    -- the day the clock's target hour falls in; at least the day of receipt or, received on a
                    -- rest day, the next working day (0 hours are due on receipt, not at the end of the working
                    -- day before it)
                    ELSE GREATEST(ceil(clock.hours / 24), r.n + 1 - r.work::int) END AS n) due_day
    LEFT JOIN cal w ON w.work AND w.n = due_day.n"""
RESPONSE_DUE_SQL = """CASE WHEN t.limit_unit = 'workdays' THEN (w.day + 1)::timestamp AT TIME ZONE %(tz)s  -- 24:00
                ELSE (w.day::timestamp + (clock.hours - 24 * (w.n - 1)) * interval '1 hour') AT TIME ZONE %(tz)s END"""

RATES_SQL = """
WITH tickets AS (
    SELECT e.id, e.grid_id, e.community_id, e.department_id, e.reported_by_id, e.status, e.closed_at, e.closure,
           e.satisfied, c.accept_limit, c.limit_unit
    FROM events_event e
    JOIN events_eventcategory c ON c.id = e.category_id
    WHERE e.id = ANY(%(scope)s::bigint[]) AND e.merged_into_id IS NULL AND e.status <> 'returned'
      AND e.reported_at < %(end)s AND (e.closed_at IS NULL OR e.closed_at >= %(start)s - interval '1 year')
), last_dispatch AS (
    SELECT DISTINCT ON (x.event_id) x.event_id, x.at, (x.data->>'due_at')::timestamptz AS due
    FROM events_eventtransition x JOIN tickets t ON t.id = x.event_id
    WHERE x.action = 'dispatch'
    ORDER BY x.event_id, x.at DESC, x.id DESC
), steps AS (
    SELECT t.id, d.at AS dispatched_at,
           GREATEST(d.due, max((x.data->>'due_at')::timestamptz)
                           FILTER (WHERE x.action = 'grant_extension' AND x.at >= d.at)) AS due,
           min(x.at) FILTER (WHERE x.action IN ('start', 'send_back') AND x.at >= d.at) AS responded_at,
           COALESCE(bool_or(x.action = 'grant_extension' AND x.at >= d.at), false) AS extended,
           COALESCE(bool_or(x.action = 'redispatch'), false) AS reworked,
           max(x.at) FILTER (WHERE x.action = 'feed_back') AS fed_back_at
    FROM tickets t
    LEFT JOIN last_dispatch d ON d.event_id = t.id
    LEFT JOIN events_eventtransition x ON x.event_id = t.id
    GROUP BY t.id, d.at, d.due
), {calendar}, facts AS (
    SELECT t.*, s.dispatched_at, s.due, s.responded_at, s.extended, s.reworked,
           CASE WHEN t.closure = 'resolved' THEN COALESCE(s.fed_back_at, t.closed_at) ELSE t.closed_at END
               AS finished_at,
           {response_due} AS response_due
    FROM tickets t
    JOIN steps s ON s.id = t.id
    CROSS JOIN LATERAL (SELECT s.dispatched_at AT TIME ZONE %(tz)s AS at) local
    LEFT JOIN cal r ON r.day = local.at::date
    {response_due_from}
), monthly AS (
    SELECT f.*, m.kind, date_trunc('month', m.at AT TIME ZONE %(tz)s)::date AS month,
           f.status = 'closed' OR f.due <= %(now)s AS due_decided,
           f.status = 'closed' AND f.finished_at <= f.due AS on_time
    FROM facts f
    CROSS JOIN LATERAL (VALUES ('dispatch', f.dispatched_at), ('due', f.due), ('closed', f.closed_at)) m(kind, at)
    WHERE m.at >= %(start)s AND m.at < %(end)s
)
SELECT CASE WHEN GROUPING(grid_id) = 0 THEN 'grid' WHEN GROUPING(community_id) = 0 THEN 'community'
            WHEN GROUPING(department_id) = 0 THEN 'department' WHEN GROUPING(reported_by_id) = 0 THEN 'worker'
            ELSE 'total' END AS dimension,
       COALESCE(grid_id, community_id, department_id, reported_by_id) AS key, month,
       count(*) FILTER (WHERE kind = 'dispatch') AS dispatched,
       count(*) FILTER (WHERE kind = 'dispatch' AND (responded_at IS NOT NULL OR response_due <= %(now)s))
           AS response_decided,
       count(*) FILTER (WHERE kind = 'dispatch' AND responded_at <= response_due) AS responded_on_time,
       count(*) FILTER (WHERE kind = 'dispatch' AND extended) AS extended,
       count(*) FILTER (WHERE kind = 'due' AND due_decided) AS due,
       count(*) FILTER (WHERE kind = 'due' AND status = 'closed') AS due_closed,
       count(*) FILTER (WHERE kind = 'due' AND on_time) AS closed_on_time,
       count(*) FILTER (WHERE kind = 'due' AND due_decided AND (reworked OR NOT COALESCE(on_time, false)))
           AS overdue_or_reworked,
       count(*) FILTER (WHERE kind = 'closed') AS closed,
       count(*) FILTER (WHERE kind = 'closed' AND dispatched_at IS NOT NULL) AS closed_dispatched,
       count(*) FILTER (WHERE kind = 'closed' AND dispatched_at IS NOT NULL AND reworked) AS reworked,
       count(*) FILTER (WHERE kind = 'closed' AND satisfied IS NOT NULL) AS followed_up,
       count(*) FILTER (WHERE kind = 'closed' AND satisfied) AS satisfied
FROM monthly
GROUP BY GROUPING SETS ((month), (month, grid_id), (month, community_id), (month, department_id),
                        (month, reported_by_id))
""".format(calendar=CALENDAR_CTE.format(limits="events_eventcategory"), response_due=RESPONSE_DUE_SQL,
           response_due_from=RESPONSE_DUE_FROM)

DEADLINES_SQL = """
WITH t AS (
    SELECT * FROM unnest(%(at)s::timestamptz[], %(limit)s::int[], %(unit)s::text[]) WITH ORDINALITY
        AS t(dispatched_at, accept_limit, limit_unit, i)
), {calendar}
SELECT {response_due}
FROM t
CROSS JOIN LATERAL (SELECT t.dispatched_at AT TIME ZONE %(tz)s AS at) local
LEFT JOIN cal r ON r.day = local.at::date
{response_due_from}
ORDER BY t.i
""".format(calendar=CALENDAR_CTE.format(limits="t"), response_due=RESPONSE_DUE_SQL,
           response_due_from=RESPONSE_DUE_FROM)


@dataclass
class Counts:
    """The ticket counts behind the rates of one group in one month."""

    dispatched: int = 0
    response_decided: int = 0
    responded_on_time: int = 0
    extended: int = 0
    due: int = 0
    due_closed: int = 0
    closed_on_time: int = 0
    overdue_or_reworked: int = 0
    closed: int = 0
    closed_dispatched: int = 0
    reworked: int = 0
    followed_up: int = 0
    satisfied: int = 0

    def rate(self, name: str) -> float | None:
        """One rate by its attribute name in RATES (e.g. "on_time"), None when nothing counted."""
        _, _, numerator, denominator = next(r for r in RATES if r[0] == name)
        return ratio(getattr(self, numerator), getattr(self, denominator))

    def rates(self) -> dict[str, float | None]:
        return {name: self.rate(name) for name, *_ in RATES}


def ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


@dataclass
class RateReport:
    """`total[month]` and `groups[dimension][key][month]` (keys are ids, None for the no-key row), with names."""

    months: list[date]
    total: dict[date, Counts] = field(default_factory=dict)
    groups: dict[str, dict[int | None, dict[date, Counts]]] = field(default_factory=dict)
    labels: dict[str, dict[int | None, str]] = field(default_factory=dict)

    def rows(self, dimension: str, month: date) -> list[tuple[str, Counts]]:
        """(name, counts) of every group of a dimension with tickets in the month, by name."""
        rows = [(self.labels[dimension][key], by_month[month])
                for key, by_month in self.groups.get(dimension, {}).items() if month in by_month]
        return sorted(rows, key=lambda row: row[0])


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def last_months(count: int, today: date | None = None) -> list[date]:
    """The first days of the last `count` months, oldest first, this month last."""
    this = month_start(today or timezone.localdate())
    return [add_months(this, -i) for i in range(count - 1, -1, -1)]


def local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())


def ticket_rates(user: User | AnonymousUser, months: list[date], now: datetime | None = None) -> RateReport:
    """The rates of the tickets `user` may see, for the given months (first days, consecutive, oldest first)."""
    report = RateReport(months=months, total={month: Counts() for month in months})
    visible = events_visible_to(user)
    if not months or visible.query.is_empty():
        return report
    # The scope goes in as an array of ids, not as the queryset's SQL spliced into RATES_SQL: that SQL has
    # positional placeholders and may hold literal "%" of its own, and no text rewriting keeps both right.
    # One extra round trip of a few thousand integers; the rates query then filters on them by its primary key.
    scope = list(visible.order_by().values_list("pk", flat=True))
    end = add_months(months[-1], 1)
    params = dict(scope=scope, start=local_midnight(months[0]), end=local_midnight(end), first_day=months[0],
                  last_day=end, tz=settings.TIME_ZONE, now=now or timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(RATES_SQL, params)
        columns = [c.name for c in cursor.description]
        for row in cursor.fetchall():
            values = dict(zip(columns, row))
            counts = Counts(**{name: values[name] for name in COUNTS})
            if values["dimension"] == "total":
                report.total[values["month"]] = counts
            else:
                report.groups.setdefault(values["dimension"], defaultdict(dict))[values["key"]][values["month"]] = counts
    report.labels = _labels(report.groups)
    return report


def response_deadlines(limits: Sequence[tuple[datetime, int, str]]) -> list[datetime | None]:
    """The response deadlines RATES_SQL computes for (received at, limit, EventCategory.LimitUnit) rows, in
    order: how the SQL side of the working-day rule is checked against geogrid.workdays.selectors."""
    if not limits:
        return []
    starts, counts, units = zip(*limits)
    local_days = [timezone.localtime(at, timezone.get_default_timezone()).date() for at in starts]
    params = dict(at=list(starts), limit=list(counts), unit=list(units), first_day=min(local_days),
                  last_day=max(local_days), tz=settings.TIME_ZONE)
    with connection.cursor() as cursor:
        cursor.execute(DEADLINES_SQL, params)
        return [row[0] for row in cursor.fetchall()]


def _labels(groups: dict[str, dict[int | None, dict[date, Counts]]]) -> dict[str, dict[int | None, str]]:
    """Display names of the keys: one query per dimension."""
    labels: dict[str, dict[int | None, str]] = {}
    lookups = {
        "grid": lambda ids: {g.pk: f"{g.name}（{g.code}）" for g in Grid.objects.filter(pk__in=ids)},
        "community": lambda ids: {a.pk: a.name for a in Area.objects.filter(pk__in=ids)},
        "department": lambda ids: {d.pk: d.name for d in Department.objects.filter(pk__in=ids)},
        "worker": lambda ids: {u.pk: u.get_full_name() or u.username for u in User.objects.filter(pk__in=ids)},
    }
    for dimension, lookup in lookups.items():
        keys = groups.get(dimension, {})
        names = lookup([key for key in keys if key is not None])
        labels[dimension] = {key: names.get(key, str(key)) if key is not None else NO_KEY[dimension] for key in keys}
    return labels
