"""What the schemathesis tests share: the served schema, loaded through the WSGI app, and the street clerk's
token on a WSGI handler that keeps the test's database connection (and so its transaction) open."""
from collections.abc import Iterator

import pytest
import schemathesis
from django.contrib.auth.models import User
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token

from tests.demo_facts import COMMUNITY, POLICE

SCHEMA_URL = "/api/schema/?format=json"
# Real objects of the demo town for the path parameters that name one: random codes only ever reach the 404.
CODES = {"alignment": POLICE, "adjustments": COMMUNITY}


def served_schema(path_regex: str | None = None) -> "schemathesis.BaseSchema":
    schema = schemathesis.openapi.from_wsgi(SCHEMA_URL, get_wsgi_application())
    return schema.include(path_regex=path_regex) if path_regex else schema


def bounded(max_examples: int):
    """Hypothesis settings of a schema run: derandomized (the same cases every run), no deadline."""
    return settings(max_examples=max_examples, deadline=None, suppress_health_check=list(HealthCheck),
                    derandomize=True)


@pytest.fixture
def token(db) -> Iterator[str]:
    """The street clerk's token; the WSGI handler keeps the test's connection (and its transaction) open."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield Token.objects.get_or_create(user=User.objects.get(username="street"))[0].key
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def call(case, token: str):
    """The case as the street clerk, with real codes in code path parameters."""
    if "code" in (case.path_parameters or {}):
        case.path_parameters["code"] = CODES[case.path.split("/")[3]]
    return case.call(headers={"Authorization": f"Token {token}"})
