"""/api/v1/: every app's API endpoints in one place."""
from django.urls import path

from geogrid.accounts.api import TokenView
from geogrid.grids.api import GridGeoJSONView
from geogrid.locate.api import LocateView

urlpatterns = [
    path("locate", LocateView.as_view(), name="api-locate"),
    path("grids.geojson", GridGeoJSONView.as_view(), name="api-grids"),
    path("auth/token", TokenView.as_view(), name="api-token"),
]
