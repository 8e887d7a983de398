"""The anonymous report limit holds under concurrency: 64 simultaneous reports from one address, each on its own
database connection, and exactly the limit (REST_FRAMEWORK rate "report", 20/hour) get through.

DRF's cache-based throttle read the history, appended and wrote it back: with simultaneous requests most of
them read the same history (in a run of this test, 61 of 64 got through). The counter is one upsert now.
"""
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import RequestFactory
from rest_framework.throttling import BaseThrottle

from geogrid.events.models import RateCounter
from geogrid.events.open311 import ReportThrottle

CLIENTS = 64


def admitted(throttle_class: type[BaseThrottle], address: str) -> int:
    """How many of CLIENTS simultaneous requests from `address` the throttle lets through, each request on
    its own thread and database connection, all released at once, all at one instant (no window boundary
    in between)."""
    request = RequestFactory().post("/open311/v2/requests.json", REMOTE_ADDR=address)
    request.user = AnonymousUser()
    start = threading.Barrier(CLIENTS)
    instant = ReportThrottle.timer()

    def one(_: int) -> bool:
        throttle = throttle_class()
        throttle.timer = lambda: instant
        try:
            start.wait()
            return throttle.allow_request(request, None)
        finally:
            connection.close()

    with ThreadPoolExecutor(CLIENTS) as pool:
        return sum(pool.map(one, range(CLIENTS)))


def forget(address: str) -> None:
    """Remove the counter rows the threads committed (the test's own transaction cannot: it is rolled back)."""
    def delete() -> None:
        try:
            RateCounter.objects.filter(ident=address).delete()
        finally:
            connection.close()
    worker = threading.Thread(target=delete)
    worker.start()
    worker.join()


@pytest.mark.django_db
def test_exactly_the_limit_of_simultaneous_anonymous_reports_get_through():
    address = f"2001:db8::{uuid.uuid4().hex[:4]}"
    limit = ReportThrottle().num_requests
    try:
        assert admitted(ReportThrottle, address) == limit
        assert admitted(ReportThrottle, address) == 0  # the window is used up
    finally:
        forget(address)


@pytest.mark.django_db
def test_a_signed_in_reporter_is_not_limited_by_the_anonymous_rate(django_user_model):
    request = RequestFactory().post("/open311/v2/requests.json")
    request.user = django_user_model(username="reporter")
    assert ReportThrottle().allow_request(request, None)
    assert not RateCounter.objects.filter(ident=request.META["REMOTE_ADDR"]).exists()
