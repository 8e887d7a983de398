"""Mounted at /api/v1/alignment/. A department code never holds a NUL byte: such a path is not found."""
from django.urls import re_path

from geogrid.alignment import api

CODE = r"^(?P<code>[^/\x00]+)"  # any path segment but one holding NUL

urlpatterns = [
    re_path(CODE + r"$", api.ReportView.as_view(), name="api-alignment"),
    re_path(CODE + r"/preview$", api.PreviewView.as_view(), name="api-alignment-preview"),
    re_path(CODE + r"/apply$", api.ApplyView.as_view(), name="api-alignment-apply"),
]
