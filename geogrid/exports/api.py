"""GET /api/v1/export?target=grids&format=gpkg&crs=gcj02[&epsg=EPSG:4545][&area=CODE][&department=CODE]

The same form and service as the export page: the file in the response body, or 400 with the reasons.
"""
from django.http import HttpResponse
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from geogrid.exports.forms import ExportForm
from geogrid.exports.views import run_form


class FormatIsAFileFormat(BaseContentNegotiation):
    """`format` here names the file to export, not DRF's renderer: errors always come back as JSON."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ExportView(APIView):
    throttle_classes = [UserRateThrottle]
    content_negotiation_class = FormatIsAFileFormat

    def get(self, request: Request) -> HttpResponse:
        form = ExportForm(request.query_params, user=request.user)
        return run_form(form, request.user) or Response({"errors": form.errors.get_json_data()}, status=400)
