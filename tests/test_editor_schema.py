"""Schemathesis over the served schema's editor, alignment, circles and coverage endpoints, as the street's
clerk (token), on the demo town's community and police station: no input gives a server error. Bounded
(six examples an operation, derandomized, about a minute); the whole API's run is the
suite's schemathesis test."""
import pytest
import schemathesis
from django.contrib.auth.models import User
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
schema = schema.include(path_regex="^/api/v1/(adjustments|alignment|circles|coverage)")
CODES = {"alignment": "522624001-PCS", "adjustments": "522624001001"}


@pytest.fixture
def token(db):
    """The street clerk's token; the WSGI handler keeps the test's connection (and its transaction) open."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield Token.objects.get_or_create(user=User.objects.get(username="street"))[0].key
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_input_gives_a_server_error(case, token):
    if "code" in (case.path_parameters or {}):
        case.path_parameters["code"] = CODES[case.path.split("/")[3]]
    response = case.call(headers={"Authorization": f"Token {token}"})
    assert response.status_code < 500, (case.as_curl_command(), response.text[:800])
