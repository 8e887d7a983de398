"""Admin for departments and their business grids (业务网格)."""
from django.contrib import admin
from django.db.models import Count
from leaflet.admin import LeafletGeoAdmin

from geogrid.accounts.admin_scope import AreaScopedAdmin
from geogrid.accounts.selectors import departments_serving
from geogrid.core.admin import VersionedGeoAdminMixin, VersionFilter, is_current
from geogrid.departments.models import BusinessGrid, Department


@admin.register(Department)
class DepartmentAdmin(AreaScopedAdmin, admin.ModelAdmin):
    scope_code_path = "area__code"  # listed and edited: the departments of the user's area and below
    list_display = ["code", "name", "tier", "area"]
    list_display_links = ["code", "name"]
    list_filter = ["tier"]
    search_fields = ["code", "name"]
    list_select_related = ["area"]
    autocomplete_fields = ["area"]

    def scope_choices(self, queryset, user):
        """Picked for a person or a business grid: the street's and county's departments serve a community."""
        return queryset & departments_serving(user)


@admin.register(BusinessGrid)
class BusinessGridAdmin(AreaScopedAdmin, VersionedGeoAdminMixin, LeafletGeoAdmin):
    scope_code_path = "department__area__code"
    list_display = ["code", "name", "department", "source", "base_grid_count", is_current]
    list_display_links = ["code", "name"]
    list_filter = [VersionFilter, ("department", admin.RelatedOnlyFieldListFilter), "source"]
    search_fields = ["code", "name", "department__name", "base_grids__code"]
    list_select_related = ["department"]
    autocomplete_fields = ["department", "base_grids"]
    fieldsets = [
        (None, {"fields": ["department", "code", "name"]}),
        ("边界", {"fields": ["source", "base_grids", "geom"]}),
        ("版本", {"fields": ["generation_low", "generation_high"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(base_grid_total=Count("base_grids"))

    @admin.display(description="对应基础网格数", ordering="base_grid_total")
    def base_grid_count(self, obj) -> int:
        return obj.base_grid_total
