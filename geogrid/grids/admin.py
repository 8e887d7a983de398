"""Admin for grids. Rows of past generations are shown, never edited: only their map stays visible."""
from django.contrib import admin
from leaflet.admin import LeafletGeoAdmin

from geogrid.accounts.admin_scope import AreaScopedAdmin
from geogrid.buildings.admin import ReplacesBuildingsMixin
from geogrid.core.admin import DatabaseCheckedForm, ReadOnlyAdmin, VersionedGeoAdminMixin, VersionFilter, is_current
from geogrid.grids.models import Grid, GridPart

COUNT_FIELDS = ["building_count", "household_count", "resident_household_count", "population"]


class GridForm(DatabaseCheckedForm):
    class Meta:
        model = Grid
        fields = "__all__"


@admin.register(Grid)
class GridAdmin(AreaScopedAdmin, ReplacesBuildingsMixin, VersionedGeoAdminMixin, LeafletGeoAdmin):
    scope_code_path = "community__code"
    form = GridForm
    list_display = ["code", "name", "level", "kind", "community",
                    "household_count", "resident_household_count", "population", is_current]
    list_display_links = ["code", "name"]
    list_filter = [VersionFilter, "level", "kind", "setting", ("community", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["code", "name", "community__name", "exclusive_type"]
    list_select_related = ["community"]
    autocomplete_fields = ["community", "parent"]
    readonly_fields = COUNT_FIELDS
    placement_fields = {"geom", "level", "generation_high"}  # edits that move buildings between grids
    fieldsets = [
        (None, {"fields": ["code", "name", "level", "parent", "community"]}),
        ("类型", {"fields": ["kind", "exclusive_type", "setting"]}),
        ("边界", {"fields": ["geom"]}),
        ("统计（由楼栋房屋自动汇总）", {"fields": COUNT_FIELDS}),
        ("版本", {"fields": ["generation_low", "generation_high"]}),
    ]

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if request.path.endswith("/autocomplete/"):  # choosing a parent or base grid: current grids only
            queryset = queryset.filter(generation_high__isnull=True)
        return queryset, may_have_duplicates


@admin.register(GridPart)
class GridPartAdmin(AreaScopedAdmin, ReadOnlyAdmin):
    """Maintained by a database trigger; shown for inspection only."""

    scope_code_path = "grid__community__code"
    list_display = ["id", "grid", "level"]
    list_filter = ["level"]
    search_fields = ["grid__code"]
    list_select_related = ["grid"]
    fields = ["grid", "level"]
