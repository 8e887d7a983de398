"""Tile endpoints: /tiles/<tileset>/{z}/{x}/{y}.mvt, /tiles/raster/<name>/{z}/{x}/{y}.png, /tiles/catalogue.json."""
from django.urls import path

from tiles import views

urlpatterns = [
    path("catalogue.json", views.catalogue, name="tiles-catalogue"),
    path("raster/<slug:name>/<int:z>/<int:x>/<int:y>.png", views.raster_tile, name="tiles-raster"),
    path("<slug:tileset>/<int:z>/<int:x>/<int:y>.mvt", views.vector_tile, name="tiles-vector"),
]
