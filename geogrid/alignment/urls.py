"""Mounted at /api/v1/alignment/."""
from django.urls import path

from geogrid.alignment import api

urlpatterns = [
    path("<str:code>", api.ReportView.as_view(), name="api-alignment"),
    path("<str:code>/preview", api.PreviewView.as_view(), name="api-alignment-preview"),
    path("<str:code>/apply", api.ApplyView.as_view(), name="api-alignment-apply"),
]
