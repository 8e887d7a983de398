from django.urls import path

from geogrid.events import api

urlpatterns = [
    path("<int:pk>", api.EventView.as_view(), name="api-event"),
    path("<int:pk>/transitions", api.TransitionView.as_view(), name="api-event-transition"),
    path("<int:pk>/place", api.PlaceView.as_view(), name="api-event-place"),
]
