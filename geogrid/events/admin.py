"""Admin for events and their categories. An event's grid is a snapshot taken from its location."""
from django.contrib import admin
from leaflet.admin import LeafletGeoAdmin

from geogrid.accounts.admin_scope import AreaScopedAdmin
from geogrid.events.models import Event, EventCategory
from geogrid.events.services import route_to_grid


@admin.register(EventCategory)  # one category tree for everyone: not scoped
class EventCategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "parent"]
    list_display_links = ["code", "name"]
    list_filter = [("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]


@admin.register(Event)
class EventAdmin(AreaScopedAdmin, LeafletGeoAdmin):
    scope_code_path = "grid__community__code"  # the grid is routed from the location on save
    list_display = ["reported_at", "category", "status", "grid", "short_description"]
    list_filter = ["status", "category"]
    search_fields = ["description", "grid__code", "grid__name", "category__name"]
    date_hierarchy = "reported_at"
    list_select_related = ["category", "grid"]
    autocomplete_fields = ["category"]
    readonly_fields = ["grid"]

    @admin.display(description="描述")
    def short_description(self, obj) -> str:
        return obj.description if len(obj.description) <= 30 else obj.description[:30] + "…"

    def save_model(self, request, obj, form, change):
        if not change or "location" in form.changed_data:
            route_to_grid(obj)
        super().save_model(request, obj, form, change)
