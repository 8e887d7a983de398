"""Admin for roads and water (basemap linework)."""
from django.contrib import admin
from leaflet.admin import LeafletGeoAdmin

from geogrid.roads.models import Road, Water


@admin.register(Road)
class RoadAdmin(LeafletGeoAdmin):
    list_display = ["__str__", "kind"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(Water)
class WaterAdmin(LeafletGeoAdmin):
    list_display = ["__str__"]
    search_fields = ["name"]
