"""What every API view shares: one error shape, strict input fields, and the base classes of the Input serializers.

Every error the API answers has one shape, whatever raised it:

    {"code": "<stable_code>", "message": "<中文说明>", "field": "<input field or null>", ...}

- DomainError (and the apps' errors that subclass it) carries its own code, message and field;
- a failed Input serializer answers 400 with the first problem's field and code and every problem under "errors";
- DRF's own exceptions (401, 403, 404, 405, 415, 429) keep their status and get their DRF code;
- a refusal by one of the database's rules (a trigger, `geogrid/core/refusals.py`) answers its status (400,
  409) with the rule's code and the database's Chinese message, not a 500.
Tests assert on "code"; clients show "message". `exception_handler` is REST_FRAMEWORK's EXCEPTION_HANDLER.
"""
import math
from typing import Any

import django_filters
from django.db import DatabaseError
from django.db.models import QuerySet
from django.http import Http404, JsonResponse
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from geogrid.core.refusals import rule_refusal


def chinese_part(text: str) -> str:
    """The Chinese half of a legacy "中文 / English" message (issue 15 replaces those literals with gettext)."""
    return text.split(" / ")[0].strip()


class DomainError(Exception):
    """A refusal with a stable code: the API answers it with `status` and the error shape above."""

    code = "invalid"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None,
                 status: int | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.message = chinese_part(message)
        self.code = code or self.code
        self.field = field
        self.status = status or self.status
        self.extra = extra


def error_response(code: str, message: str, *, status: int, field: str | None = None, **extra: Any) -> Response:
    return Response({"code": code, "message": message, "field": field, **extra}, status=status)


def json_error(code: str, message: str, *, status: int) -> JsonResponse:
    """The same error shape outside DRF's views (middleware, the login lockout, tile views)."""
    return JsonResponse({"code": code, "message": message, "field": None}, status=status,
                        json_dumps_params={"ensure_ascii": False})


def _first_error(detail: Any, path: str | None = None) -> tuple[str | None, exceptions.ErrorDetail | str]:
    """The field path and message of the first problem in a ValidationError's (nested) detail."""
    if isinstance(detail, dict):
        key, value = next(iter(detail.items()))
        name = None if key in ("non_field_errors", "__all__") else str(key)
        return _first_error(value, name if path is None else f"{path}.{name}" if name else path)
    if isinstance(detail, list) and detail:
        for index, item in enumerate(detail):
            if item:  # a list of child serializers holds {} for the items without errors
                return _first_error(item, path if not isinstance(item, dict) else f"{path}[{index}]")
    return path, detail


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DomainError):
        return error_response(exc.code, exc.message, status=exc.status, field=exc.field, **exc.extra)
    refusal = rule_refusal(exc) if isinstance(exc, DatabaseError) else None
    if refusal is not None:
        set_rollback()
        return error_response(refusal.code, refusal.message, status=refusal.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, exceptions.ValidationError):
        field, message = _first_error(exc.detail)
        code = getattr(message, "code", None) or "invalid"
        return error_response(str(code), chinese_part(str(message)), status=400, field=field, errors=exc.detail)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        code = codes if isinstance(codes, str) else exc.default_code
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.default_detail)
        response.data = {"code": code, "message": chinese_part(str(detail)), "field": None}
    return response


class ErrorSerializer(serializers.Serializer):
    """The error shape, for the schema (drf-spectacular) of every endpoint."""

    code = serializers.CharField(help_text="stable error code, e.g. required, invalid, not_found, permission_denied")
    message = serializers.CharField(help_text="说明（中文）")
    field = serializers.CharField(allow_null=True, help_text="the input field at fault, if any")


# ---------- strict input fields ----------

class StrictBooleanField(serializers.BooleanField):
    """true/false (JSON or text) or 1/0, nothing else: form-encoded "false" is False, "no" or "" is a 400."""

    TRUE_VALUES = {True, 1, "1", "true", "True"}
    FALSE_VALUES = {False, 0, "0", "false", "False"}
    NULL_VALUES: set = set()
    default_error_messages = {"invalid": _("Must be true/false or 1/0.")}

    def to_internal_value(self, data: Any) -> bool:
        if isinstance(data, float):  # 1.0 would compare equal to 1 in the sets above
            self.fail("invalid", input=data)
        return super().to_internal_value(data)


class StrictCharField(serializers.CharField):
    """A string and only a string (no 123 or [1,2,3] coerced to text); NUL and lone surrogates are refused
    by DRF's CharField validators."""

    default_error_messages = {"not_a_string": _("Must be a string.")}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)


class FiniteFloatField(serializers.FloatField):
    """A float that is a number: "NaN", "inf" and their JSON spellings are refused."""

    default_error_messages = {"not_finite": _("Must be a finite number.")}

    def to_internal_value(self, data: Any) -> float:
        if isinstance(data, bool):
            self.fail("invalid")
        value = super().to_internal_value(data)
        if not math.isfinite(value):
            self.fail("not_finite")
        return value


class Input(serializers.Serializer):
    """Base of every API Input serializer: a body that is not an object is refused (DRF's Serializer does that),
    and so is any key the serializer does not declare, so a client cannot slip in a server-owned field such as
    `at`, `user` or `event_id`."""

    default_error_messages = {"unknown_field": _("Fields not accepted: {fields}.")}

    def to_internal_value(self, data: Any) -> dict:
        if hasattr(data, "keys"):
            unknown = sorted(set(data.keys()) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {unknown[0]: [exceptions.ErrorDetail(
                        self.error_messages["unknown_field"].format(fields="、".join(unknown)),
                        code="unknown_field")]})
        return super().to_internal_value(data)


def validated(serializer_class: type[serializers.Serializer], data: Any, **kwargs: Any) -> dict:
    """The validated data of `data` through `serializer_class`, or a ValidationError (400 in the error shape)."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def filtered(filterset_class: type[django_filters.FilterSet], data: Any, queryset: QuerySet) -> QuerySet:
    """`queryset` through a django-filter FilterSet of the query `data`, or a ValidationError naming the first
    parameter at fault with its form error's code (400 in the error shape, never a 500)."""
    filterset = filterset_class(data, queryset=queryset)
    if not filterset.is_valid():
        raise serializers.ValidationError({
            name: [exceptions.ErrorDetail(" ".join(error.messages), code=error.code or "invalid") for error in errors]
            for name, errors in filterset.form.errors.as_data().items()})
    return filterset.qs
