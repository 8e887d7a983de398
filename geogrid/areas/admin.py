"""Admin for administrative areas (county, street/township, community/village)."""
from django.contrib import admin
from leaflet.admin import LeafletGeoAdmin

from geogrid.areas.models import Area


@admin.register(Area)
class AreaAdmin(LeafletGeoAdmin):
    list_display = ["code", "name", "kind", "parent"]
    list_display_links = ["code", "name"]
    list_filter = ["kind", ("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
