"""Mounted at /api/v1/circles/."""
from django.urls import path

from geogrid.circles import api

urlpatterns = [
    path("networks", api.NetworksView.as_view(), name="api-circles-networks"),
    path("runs", api.RunsView.as_view(), name="api-circles-runs"),
    path("runs/<int:pk>", api.RunView.as_view(), name="api-circles-run"),
    path("runs/<int:pk>/coverage", api.CoverageTableView.as_view(), name="api-circles-coverage"),
    path("runs/<int:pk>/map", api.MapView.as_view(), name="api-circles-map"),
    path("runs/<int:pk>/export.xlsx", api.ExportView.as_view(), name="api-circles-export"),
]
