"""Mounted at /api/v1/adjustments/ (see api.py for what each endpoint does; surroundings.py for the editor's
buildings, roads and water). A community code never holds a NUL byte (PostgreSQL refuses it in a query): such
a path is simply not found."""
from django.urls import path, re_path

from geogrid.adjustments import api, surroundings

CODE = r"^(?P<code>[^/\x00]+)/"  # any path segment but one holding NUL

urlpatterns = [
    path("requests", api.RequestListView.as_view(), name="api-adjustment-requests"),
    path("requests/<int:pk>", api.RequestView.as_view(), name="api-adjustment-request"),
    path("requests/<int:pk>/decision", api.DecisionView.as_view(), name="api-adjustment-decision"),
    re_path(CODE + r"draft$", api.DraftView.as_view(), name="api-adjustment-draft"),
    re_path(CODE + r"operations$", api.OperationView.as_view(), name="api-adjustment-operations"),
    re_path(CODE + r"requests$", api.SubmitView.as_view(), name="api-adjustment-submit"),
    re_path(CODE + r"history$", api.HistoryView.as_view(), name="api-adjustment-history"),
    re_path(CODE + r"history/(?P<generation>[0-9]+)$", api.VersionView.as_view(), name="api-adjustment-version"),
    re_path(CODE + r"restore$", api.RestoreView.as_view(), name="api-adjustment-restore"),
    re_path(CODE + r"surroundings$", surroundings.SurroundingsView.as_view(), name="api-adjustment-surroundings"),
]
