"""Tile endpoints. Vector (MVT) and raster tiles arrive with the web-map issue."""
urlpatterns: list = []
