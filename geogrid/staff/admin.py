"""Admin for grid staff. Phones are personal data: masked in the list, in full only on the change form."""
from django.contrib import admin

from geogrid.core.masking import mask_phone
from geogrid.staff.models import StaffMember


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = ["name", "role", "post", "masked_phone", "department", "grid_codes", "user"]
    list_filter = ["role", "post", "department"]
    search_fields = ["name", "grids__code", "grids__name"]  # not the phone: the list must not reveal it
    list_select_related = ["department", "user"]
    autocomplete_fields = ["grids", "department", "user"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("grids")

    @admin.display(description="联系电话")
    def masked_phone(self, obj) -> str:
        return mask_phone(obj.phone) if obj.phone else "—"

    @admin.display(description="服务网格")
    def grid_codes(self, obj) -> str:
        return "、".join(g.code for g in obj.grids.all() if g.generation_high_id is None) or "—"
