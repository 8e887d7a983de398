"""Schemathesis over the served schema's editor, alignment, circles and coverage endpoints, as the street's
clerk (token), on the demo town's community and police station: no input gives a server error. Bounded
(six examples an operation, derandomized, about a minute); the whole API's run is tests/test_schema.py."""
from tests.schema_run import bounded, call, served_schema, token  # noqa: F401 (token is a fixture)

schema = served_schema("^/api/v1/(adjustments|alignment|circles|coverage)")


@schema.parametrize()
@bounded(6)
def test_no_input_gives_a_server_error(case, token):  # noqa: F811
    response = call(case, token)
    assert response.status_code < 500, (case.as_curl_command(), response.text[:800])
