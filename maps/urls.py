from django.urls import path

from maps import views

urlpatterns = [
    path("", views.grid_map, name="map"),
]
