from django.urls import path

from geogrid.instructions import api

urlpatterns = [
    path("", api.InstructionsView.as_view(), name="api-instructions"),
    path("<int:pk>/decision", api.DecisionView.as_view(), name="api-instruction-decision"),
    path("<int:pk>/response", api.ResponseView.as_view(), name="api-instruction-response"),
]
