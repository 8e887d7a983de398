"""Mounted at /api/v1/alignment/."""
from django.urls import path

from geogrid.alignment import api

urlpatterns = [
    path("<code:code>", api.ReportView.as_view(), name="api-alignment"),
    path("<code:code>/preview", api.PreviewView.as_view(), name="api-alignment-preview"),
    path("<code:code>/apply", api.ApplyView.as_view(), name="api-alignment-apply"),
]
