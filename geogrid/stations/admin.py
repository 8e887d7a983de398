"""Admin for service stations (网格党群服务站 and kin)."""
from django.contrib import admin
from leaflet.admin import LeafletGeoAdmin

from geogrid.accounts.admin_scope import AreaScopedAdmin
from geogrid.stations.models import ServiceStation


@admin.register(ServiceStation)
class ServiceStationAdmin(AreaScopedAdmin, LeafletGeoAdmin):
    scope_code_path = "community__code"
    list_display = ["name", "kind", "community", "address", "opening_hours"]
    list_filter = ["kind", ("community", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "address", "community__name"]
    list_select_related = ["community"]
    autocomplete_fields = ["community"]
