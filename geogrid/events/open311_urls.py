"""/open311/v2/: GeoReport v2 (JSON)."""
from django.urls import path

from geogrid.events import open311

urlpatterns = [
    path("services.json", open311.ServicesView.as_view(), name="open311-services"),
    path("requests.json", open311.RequestsView.as_view(), name="open311-requests"),
    path("requests/<int:pk>.json", open311.RequestView.as_view(), name="open311-request"),
]
