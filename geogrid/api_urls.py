"""/api/v1/: every app's API endpoints in one place."""
from django.urls import include, path

from geogrid.accounts.api import TokenView
from geogrid.buildings.api import BuildingView
from geogrid.coverage.api import CoverageView
from geogrid.exports.api import ExportView
from geogrid.grids.api import GridGeoJSONView
from geogrid.imports.api import ImportJobView, ImportUndoView
from geogrid.locate.api import LocateView
from geogrid.search.api import SearchView

urlpatterns = [
    path("locate", LocateView.as_view(), name="api-locate"),
    path("search", SearchView.as_view(), name="api-search"),
    path("building", BuildingView.as_view(), name="api-building"),
    path("grids.geojson", GridGeoJSONView.as_view(), name="api-grids"),
    path("coverage", CoverageView.as_view(), name="api-coverage"),
    path("export", ExportView.as_view(), name="api-export"),
    path("imports/<int:pk>", ImportJobView.as_view(), name="api-import-job"),
    path("imports/<int:pk>/undo", ImportUndoView.as_view(), name="api-import-undo"),
    path("adjustments/", include("geogrid.adjustments.api_urls")),
    path("alignment/", include("geogrid.alignment.api_urls")),
    path("circles/", include("geogrid.circles.api_urls")),
    path("events/", include("geogrid.events.api_urls")),
    path("instructions/", include("geogrid.instructions.api_urls")),
    path("auth/token", TokenView.as_view(), name="api-token"),
]
