"""The API's shared input fields and its one error shape (geogrid/core/api.py)."""
import pytest
from rest_framework import serializers
from rest_framework.test import APIClient

from geogrid.core.api import DomainError, FiniteFloatField, Input, StrictBooleanField, StrictCharField, exception_handler


class Sample(Input):
    approve = StrictBooleanField()
    note = StrictCharField(required=False, allow_blank=True)
    x = FiniteFloatField(required=False)


def _errors(data) -> dict:
    serializer = Sample(data=data)
    assert not serializer.is_valid()
    return serializer.errors


@pytest.mark.parametrize("raw, value", [(True, True), (False, False), ("true", True), ("false", False),
                                        (1, True), (0, False), ("1", True), ("0", False)])
def test_a_boolean_is_true_false_one_or_zero(raw, value):
    serializer = Sample(data={"approve": raw})
    assert serializer.is_valid(), serializer.errors
    assert serializer.validated_data["approve"] is value


@pytest.mark.parametrize("raw", ["yes", "no", "on", "", "f", "t", 2, 1.0, None, [], {}])
def test_anything_else_is_not_a_boolean(raw):
    assert "approve" in _errors({"approve": raw})


@pytest.mark.parametrize("raw", [123, [1, 2, 3], None, {"a": 1}, True])
def test_a_string_field_takes_only_strings(raw):
    assert "note" in _errors({"approve": True, "note": raw})


@pytest.mark.parametrize("raw", ["a\x00b", "\ud800"])
def test_nul_and_lone_surrogates_are_refused(raw):
    assert "note" in _errors({"approve": True, "note": raw})


@pytest.mark.parametrize("raw", ["NaN", "nan", "inf", "-Infinity", float("nan"), float("inf"), True])
def test_a_float_is_finite(raw):
    assert "x" in _errors({"approve": True, "x": raw})


def test_undeclared_keys_are_refused_by_name():
    errors = _errors({"approve": True, "at": "2001-01-01T00:00:00Z", "user": 1})
    assert errors["at"][0].code == "unknown_field"
    assert "at" in str(errors["at"][0]) and "user" in str(errors["at"][0])


@pytest.mark.parametrize("body", [[1, 2], "text", 3, None])
def test_a_body_that_is_not_an_object_is_refused(body):
    serializer = Sample(data=body)
    assert not serializer.is_valid()


def test_errors_have_one_shape():
    response = exception_handler(DomainError("网格不存在 / no such grid", code="no_such_grid", field="grid"), {})
    assert response.status_code == 400
    assert response.data == {"code": "no_such_grid", "message": "网格不存在", "field": "grid"}
    invalid = exception_handler(serializers.ValidationError({"approve": ["须为 true/false 或 1/0。"]}), {})
    assert invalid.data["field"] == "approve" and invalid.data["code"] == "invalid"


@pytest.mark.django_db
def test_drf_refusals_answer_in_the_shape_too():
    answer = APIClient().get("/api/v1/events/1")
    assert answer.status_code in (401, 403)
    assert set(answer.json()) >= {"code", "message", "field"}
    assert answer.json()["code"] in ("not_authenticated", "authentication_failed")
