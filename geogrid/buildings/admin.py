"""Admin for buildings. Grid placements and grid counts are derived (以房定户): shown, never typed in."""
from django.contrib import admin
from leaflet.admin import LeafletGeoAdmin

from geogrid.accounts.admin_scope import AreaScopedAdmin
from geogrid.buildings.models import Building
from geogrid.buildings.services import place_buildings

PLACEMENT_FIELDS = ["grid_l1", "grid_l2", "grid_l3"]


class ReplacesBuildingsMixin:
    """After a save that changes `placement_fields` (any save when None) or a delete, re-place buildings in
    grids so placements and every grid's counts follow (以房定户)."""

    placement_fields: set[str] | None = None

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change or self.placement_fields is None or self.placement_fields & set(form.changed_data):
            place_buildings()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        place_buildings()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        place_buildings()


@admin.register(Building)
class BuildingAdmin(AreaScopedAdmin, ReplacesBuildingsMixin, LeafletGeoAdmin):
    scope_code_path = "community__code"  # derived from the building's level-1 grid on save
    list_display = ["address", "use", "floors", "households", "resident_households", "population",
                    "community", "grid_l1", "grid_l2", "grid_l3"]
    list_filter = ["use", ("community", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["address", "grid_l1__code", "grid_l2__code", "grid_l3__code", "community__name"]
    list_select_related = ["community", "grid_l1", "grid_l2", "grid_l3"]
    autocomplete_fields = ["community"]
    readonly_fields = PLACEMENT_FIELDS
    fieldsets = [
        (None, {"fields": ["address", "use", "floors", "community"]}),
        ("户数与人口", {"fields": ["households", "resident_households", "population"]}),
        ("位置", {"fields": ["footprint", "point"]}),
        ("所在网格（按定位点自动归属）", {"fields": PLACEMENT_FIELDS}),
    ]
