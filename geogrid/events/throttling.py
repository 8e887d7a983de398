"""Rate limits counted in PostgreSQL with one atomic statement per request.

DRF's SimpleRateThrottle reads the client's history from the cache, appends and writes it back: with the
database cache, simultaneous requests all read the same history, and far more than the limit get through
(61 of 64 simultaneous anonymous reports from one address against 20/hour, tests/test_report_limit.py). Here every request is one
`INSERT ... ON CONFLICT DO UPDATE SET count = count + 1 RETURNING count` on the row of its client and fixed
window: PostgreSQL serialises the increments on that row, so exactly the limit get through.
"""
from datetime import UTC, datetime, timedelta

from django.db import connection
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

HIT_SQL = """
WITH expired AS (  -- this client's past windows: the table holds one row per client and current window
    DELETE FROM events_ratecounter WHERE scope = %(scope)s AND ident = %(ident)s AND window_start < %(start)s
)
INSERT INTO events_ratecounter (scope, ident, window_start, count)
VALUES (%(scope)s, %(ident)s, %(start)s, 1)
ON CONFLICT (scope, ident, window_start) DO UPDATE SET count = events_ratecounter.count + 1
RETURNING count
"""


def window_start(now: datetime, duration: int) -> datetime:
    """The start of the fixed window of `duration` seconds that `now` falls in."""
    seconds = int(now.timestamp())
    return datetime.fromtimestamp(seconds - seconds % duration, tz=now.tzinfo)


def hit(scope: str, ident: str, start: datetime) -> int:
    """Count one request of `ident` in the window starting at `start`; how many it has made there now."""
    with connection.cursor() as cursor:
        cursor.execute(HIT_SQL, {"scope": scope, "ident": ident[:100], "start": start})
        return cursor.fetchone()[0]


class CountedRateThrottle(SimpleRateThrottle):
    """A fixed-window limit per client address (the rate of `scope` in REST_FRAMEWORK's
    DEFAULT_THROTTLE_RATES), counted atomically in events_ratecounter."""

    def get_cache_key(self, request: Request, view: APIView) -> str:
        return self.get_ident(request)

    def allow_request(self, request: Request, view: APIView) -> bool:
        if self.rate is None:
            return True
        self.now = datetime.fromtimestamp(self.timer(), tz=UTC)
        self.start = window_start(self.now, self.duration)
        return hit(self.scope, self.get_cache_key(request, view), self.start) <= self.num_requests

    def wait(self) -> float:
        return (self.start + timedelta(seconds=self.duration) - self.now).total_seconds()
