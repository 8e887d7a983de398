"""Admin for users and their scopes (which street, community or department they work for)."""
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import User

from geogrid.accounts.models import UserScope


@admin.register(UserScope)
class UserScopeAdmin(admin.ModelAdmin):
    list_display = ["user", "area", "department"]
    list_filter = ["department", ("area", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["user__username", "user__first_name", "user__last_name", "area__name", "area__code"]
    list_select_related = ["user", "area", "department"]
    autocomplete_fields = ["user", "area", "department"]


class UserScopeInline(admin.StackedInline):
    model = UserScope
    can_delete = False
    autocomplete_fields = ["area", "department"]


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Django's user admin with the scope on the same page."""

    inlines = [UserScopeInline]
    list_display = ["username", "first_name", "last_name", "scope", "is_staff", "is_active"]
    list_select_related = ["scope__area", "scope__department"]

    @admin.display(description="权限范围")
    def scope(self, obj) -> str:
        scope = getattr(obj, "scope", None)
        return "—" if scope is None else str(scope.area or scope.department)
