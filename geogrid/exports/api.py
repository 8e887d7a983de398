"""GET /api/v1/export?target=grids&format=gpkg&crs=gcj02[&epsg=EPSG:4545][&area=CODE][&department=CODE]

The same form and service as the export page: the file in the response body, or 400 with the reasons.
"""
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.request import Request
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from geogrid.core.api import DomainError, ErrorSerializer, Input, StrictCharField, validated
from geogrid.exports.forms import CRS_CHOICES, ExportForm
from geogrid.exports.models import TARGETS
from geogrid.exports.services import FORMATS
from geogrid.exports.views import run_form


class FormatIsAFileFormat(BaseContentNegotiation):
    """`format` here names the file to export, not DRF's renderer: errors always come back as JSON."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ExportInput(Input):
    """The types; the export form then checks what depends on the user (area, department, the CRS code)."""

    target = serializers.ChoiceField(list(TARGETS))
    format = serializers.ChoiceField(list(FORMATS))
    crs = StrictCharField(required=False, allow_blank=True, max_length=30,
                          help_text=f"{'、'.join(v for v, _ in CRS_CHOICES)} 或 EPSG:代码（如 EPSG:4545，同 locate）")
    epsg = StrictCharField(required=False, allow_blank=True, max_length=30, help_text="如 EPSG:4545")
    area = StrictCharField(required=False, allow_blank=True, max_length=30, help_text="区划代码，默认用户的工作区域")
    department = StrictCharField(required=False, allow_blank=True, max_length=30, help_text="部门代码（业务网格）")


    def validate(self, data: dict) -> dict:
        """`crs=EPSG:4545` as locate and the command line take it: the form's "other" with that code."""
        crs = data.get("crs") or ""
        if crs and crs not in dict(CRS_CHOICES):
            if data.get("epsg"):
                raise serializers.ValidationError(
                    {"crs": _("crs already gives the EPSG code: leave epsg empty.")}, code="epsg_given_twice")
            data = {**data, "crs": "other", "epsg": crs}
        return data


class ExportError(DomainError):
    code = "export_refused"


def form_error(form: ExportForm) -> ExportError:
    """The form's first problem as the error, all of them under `errors` ({field: [{message, code}]})."""
    errors = form.errors.get_json_data()
    field, problems = next(iter(errors.items()))
    return ExportError(problems[0]["message"], code=problems[0]["code"] or None,
                       field=None if field == "__all__" else field, errors=errors)


class ExportView(APIView):
    throttle_classes = [UserRateThrottle]
    content_negotiation_class = FormatIsAFileFormat

    @extend_schema(operation_id="export", parameters=[ExportInput],
                   responses={(200, mime): OpenApiResponse(OpenApiTypes.BINARY, description=f"{name} 文件")
                              for name, (_, _, mime) in FORMATS.items()}
                   | {400: ErrorSerializer, 403: ErrorSerializer, 429: ErrorSerializer})
    def get(self, request: Request) -> HttpResponse:
        form = ExportForm(validated(ExportInput, request.query_params), user=request.user)
        response = run_form(form, request.user)
        if response is None:
            raise form_error(form)
        return response
