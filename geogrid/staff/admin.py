"""Admin for grid staff. Phones are personal data: masked in the list, in full only on the change form, and
there only for users who may see them (`can_see_personal_data`: superusers and users whose area contains
one of the member's grids; a department-scoped user sees the masked phone)."""
from django.contrib import admin

from geogrid.accounts.admin_scope import AreaScopedAdmin
from geogrid.accounts.selectors import can_see_personal_data
from geogrid.core.masking import mask_phone
from geogrid.staff.models import StaffMember


@admin.register(StaffMember)
class StaffMemberAdmin(AreaScopedAdmin, admin.ModelAdmin):
    scope_code_path = "grids__community__code"
    scope_through_many = True  # a member serves several grids
    list_display = ["name", "role", "post", "masked_phone", "department", "grid_codes", "user"]
    list_filter = ["role", "post", ("department", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "grids__code", "grids__name"]  # not the phone: the list must not reveal it
    list_select_related = ["department", "user"]
    autocomplete_fields = ["grids", "department", "user"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("grids")

    def may_see_phone(self, request, obj: StaffMember | None) -> bool:
        """Adding: the clerk types the phone in. Changing: as on the map (`can_see_personal_data`)."""
        if obj is None or request.user.is_superuser:
            return True
        return any(can_see_personal_data(request.user, grid.community.code)
                   for grid in obj.grids.select_related("community"))

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        return exclude if self.may_see_phone(request, obj) else [*exclude, "phone"]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:  # login accounts are linked by those who manage accounts
            readonly.append("user")
        if not self.may_see_phone(request, obj):
            readonly.append("masked_phone")
        return readonly

    @admin.display(description="联系电话")
    def masked_phone(self, obj) -> str:
        return mask_phone(obj.phone) if obj.phone else "—"

    @admin.display(description="服务网格")
    def grid_codes(self, obj) -> str:
        return "、".join(g.code for g in obj.grids.all() if g.generation_high_id is None) or "—"
