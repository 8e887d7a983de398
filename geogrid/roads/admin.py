"""Admin for roads and water (basemap linework). They belong to no area: a scoped user sees those crossing
its area."""
from django.contrib import admin
from leaflet.admin import LeafletGeoAdmin

from geogrid.accounts.admin_scope import AreaScopedAdmin
from geogrid.roads.models import Road, Water


@admin.register(Road)
class RoadAdmin(AreaScopedAdmin, LeafletGeoAdmin):
    scope_geom_path = "geom"
    list_display = ["__str__", "kind"]
    list_filter = ["kind"]
    search_fields = ["name"]


@admin.register(Water)
class WaterAdmin(AreaScopedAdmin, LeafletGeoAdmin):
    scope_geom_path = "geom"
    list_display = ["__str__"]
    search_fields = ["name"]
