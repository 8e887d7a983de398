"""Admin for administrative areas (county, street/township, community/village). Scoped users see their own
area and the areas under it (`AreaScopedAdmin`)."""
from django.contrib import admin
from leaflet.admin import LeafletGeoAdmin

from geogrid.accounts.admin_scope import AreaScopedAdmin
from geogrid.areas.models import Area


@admin.register(Area)
class AreaAdmin(AreaScopedAdmin, LeafletGeoAdmin):
    scope_code_path = "code"
    list_display = ["code", "name", "kind", "parent"]
    list_display_links = ["code", "name"]
    list_filter = ["kind", ("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
