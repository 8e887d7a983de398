"""Mounted at /api/v1/adjustments/ (see api.py for what each endpoint does; surroundings.py for the editor's
buildings, roads and water)."""
from django.urls import path

from geogrid.adjustments import api, surroundings

urlpatterns = [
    path("requests", api.RequestListView.as_view(), name="api-adjustment-requests"),
    path("requests/<int:pk>", api.RequestView.as_view(), name="api-adjustment-request"),
    path("requests/<int:pk>/decision", api.DecisionView.as_view(), name="api-adjustment-decision"),
    path("<code:code>/draft", api.DraftView.as_view(), name="api-adjustment-draft"),
    path("<code:code>/operations", api.OperationView.as_view(), name="api-adjustment-operations"),
    path("<code:code>/requests", api.SubmitView.as_view(), name="api-adjustment-submit"),
    path("<code:code>/history", api.HistoryView.as_view(), name="api-adjustment-history"),
    path("<code:code>/history/<int:generation>", api.VersionView.as_view(), name="api-adjustment-version"),
    path("<code:code>/restore", api.RestoreView.as_view(), name="api-adjustment-restore"),
    path("<code:code>/surroundings", surroundings.SurroundingsView.as_view(), name="api-adjustment-surroundings"),
]
