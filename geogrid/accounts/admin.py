"""Admin for users and their scopes (which street, community or department they work for).

Scopes decide what everyone else's admin shows (`geogrid.accounts.admin_scope`), so they are edited by
superusers only, whatever model permissions a user holds: otherwise a clerk could re-scope themselves.
The user admin too: "change user" alone lets one tick 超级用户状态 on one's own account.
"""
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import User

from geogrid.accounts.admin_scope import SuperuserOnlyAdmin
from geogrid.accounts.models import UserScope


@admin.register(UserScope)
class UserScopeAdmin(SuperuserOnlyAdmin, admin.ModelAdmin):
    list_display = ["user", "area", "department"]
    list_filter = ["department", ("area", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["user__username", "user__first_name", "user__last_name", "area__name", "area__code"]
    list_select_related = ["user", "area", "department"]
    autocomplete_fields = ["user", "area", "department"]


class UserScopeInline(SuperuserOnlyAdmin, admin.StackedInline):
    model = UserScope
    can_delete = False
    autocomplete_fields = ["area", "department"]


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(SuperuserOnlyAdmin, BaseUserAdmin):
    """Django's user admin with the role (组) and the scope on the same page; superusers only. The roles' groups
    come from `geogrid.accounts.roles`."""

    inlines = [UserScopeInline]
    list_display = ["username", "first_name", "last_name", "role", "scope", "is_staff", "is_active"]
    list_filter = ["groups", "is_staff", "is_active"]
    list_select_related = ["scope__area", "scope__department"]

    @admin.display(description="角色")
    def role(self, obj) -> str:
        return "、".join(group.name for group in obj.groups.all()) or "—"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description="权限范围")
    def scope(self, obj) -> str:
        scope = getattr(obj, "scope", None)
        return "—" if scope is None else str(scope.area or scope.department)
