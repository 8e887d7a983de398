"""Admin for the category tree and the 归口办理 table (editable), and tickets (read-only: a ticket changes only
through workflow steps, so that every change is one audited transition)."""
from django.contrib import admin
from leaflet.admin import LeafletGeoAdmin

from geogrid.accounts.admin_scope import AreaScopedAdmin
from geogrid.core.admin import ReadOnlyAdmin
from geogrid.core.masking import mask_name, mask_phone
from geogrid.events.models import Event, EventCategory, EventTransition, Responsibility


@admin.register(EventCategory)  # one category tree for everyone: not scoped
class EventCategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "parent", "limit_unit", "accept_limit", "handle_limit", "verify_limit",
                    "closes_on_coordination", "active"]
    list_display_links = ["code", "name"]
    list_filter = ["active", "closes_on_coordination", ("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]


@admin.register(Responsibility)
class ResponsibilityAdmin(AreaScopedAdmin, admin.ModelAdmin):
    """A street's clerk keeps its own street's rows (and its communities'): whoever could edit another
    street's row could send that street's tickets to their own units. Rows without an area (the default
    for every street) are for superusers only; for everyone else the area is required and is one of
    theirs, and the unit one serving them (`departments_serving`)."""

    scope_code_path = "area__code"
    list_display = ["category", "area", "department", "note"]
    list_filter = [("department", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["category__name", "category__code", "department__name", "note"]
    list_select_related = ["category", "area", "department"]
    autocomplete_fields = ["category", "department"]
    raw_id_fields = ["area"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if not request.user.is_superuser and "area" in form.base_fields:
            form.base_fields["area"].required = True
        return form


class TransitionInline(admin.TabularInline):
    model = EventTransition
    fields = ["at", "action", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Event)
class EventAdmin(AreaScopedAdmin, ReadOnlyAdmin, LeafletGeoAdmin):
    scope_code_path = "community__code"  # the routing snapshot
    list_display = ["pk", "reported_at", "category", "status", "level", "grid", "department", "due_at",
                    "masked_reporter", "short_description"]
    list_filter = ["status", "level", "source", ("department", admin.RelatedOnlyFieldListFilter), "category"]
    search_fields = ["description", "address", "grid__code", "grid__name", "category__name"]
    date_hierarchy = "reported_at"
    list_select_related = ["category", "grid", "department"]
    exclude = ["reporter_name", "reporter_phone"]  # personal data: shown masked, to the centre on its pages
    inlines = [TransitionInline]

    @admin.display(description="描述")
    def short_description(self, obj) -> str:
        return obj.description if len(obj.description) <= 30 else obj.description[:30] + "…"

    @admin.display(description="报告人")
    def masked_reporter(self, obj) -> str:
        return " ".join(filter(None, [mask_name(obj.reporter_name), mask_phone(obj.reporter_phone)]))
