"""Keeping the admin inside the user's scope.

Django's admin knows model permissions only: a clerk with "change grid" may change every grid in the
database. GeoGrid users work for one street, community or department (`UserScope`), so every domain admin
mixes in `AreaScopedAdmin`, which names the path from its rows to an area code and keeps the admin to the
rows inside the user's area:

- area codes nest by prefix (`Area.code_prefix`), so "inside" is a prefix match on that code;
- superusers are not filtered; a department-scoped user works in the department's area; a user without a
  scope gets nothing;
- the filter is applied in `get_queryset`, which the changelist and the change/delete/history views start
  from (another area's row answers "does not exist");
- the choices of every foreign key and many-to-many field pointing at another scoped model are that model
  admin's `scope_choices` (`get_field_queryset`, used by `formfield_for_foreignkey` and
  `formfield_for_manytomany`), and its autocomplete results the same (the autocomplete view starts from
  `get_queryset` too), so a street clerk cannot attach a grid to another street's community even by posting
  its id. Choices are the rows inside the area, except where a model says otherwise (departments: those
  above the area serve it too);
- a saved row must still be inside the scope (`save_related`, the last step of a save, inside the admin's
  transaction): a building or event whose location puts it in another area is refused and rolled back.
"""
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from geogrid.accounts.selectors import area_code_prefix, area_of


class AreaScopedAdmin:
    """Mix in before the ModelAdmin base class and set one of:

    - `scope_code_path`: the lookup from a row to an area code, e.g. "community__code";
    - `scope_geom_path`: for rows tied to no area (roads, water): their geometry must intersect the area.

    `scope_through_many` when the path crosses a many-to-many or reverse relation (a staff member serves
    several grids): the filter then goes through a `pk__in` subquery instead of a join, so rows are not
    repeated and the queryset can still be deleted (Django refuses `delete()` after `distinct()`).
    """

    scope_code_path: str = ""
    scope_geom_path: str = ""
    scope_through_many: bool = False

    def scope_queryset(self, queryset: QuerySet, user) -> QuerySet:
        """`queryset` (of this admin's model) cut down to the rows inside the user's area."""
        prefix = area_code_prefix(user)
        if prefix == "":  # superuser
            return queryset
        if prefix is None:  # no scope: nothing
            return queryset.none()
        if self.scope_geom_path:
            inside = Q(**{f"{self.scope_geom_path}__intersects": area_of(user).geom})
        else:
            inside = Q(**{f"{self.scope_code_path}__startswith": prefix})
        if self.scope_through_many:
            return queryset.filter(pk__in=queryset.model._default_manager.filter(inside).values("pk"))
        return queryset.filter(inside)

    def scope_choices(self, queryset: QuerySet, user) -> QuerySet:
        """The rows of this model the user may pick for a field of another model: by default those inside."""
        return self.scope_queryset(queryset, user)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.path.endswith("/autocomplete/"):  # picking a row for another model's field
            return self.scope_choices(queryset, request.user)
        return self.scope_queryset(queryset, request.user)

    def get_field_queryset(self, db, db_field, request):
        """Choices of a relation to another scoped model: what that model's admin offers to pick."""
        queryset = super().get_field_queryset(db, db_field, request)
        related_admin = self.admin_site._registry.get(db_field.remote_field.model)
        if not isinstance(related_admin, AreaScopedAdmin):
            return queryset
        if queryset is None:
            queryset = db_field.remote_field.model._default_manager.using(db)
        return related_admin.scope_choices(queryset, request.user)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not self.get_queryset(request).filter(pk=form.instance.pk).exists():
            raise PermissionDenied("保存后的记录不在您的权限范围内")


def superuser_only(request) -> bool:
    return request.user.is_active and request.user.is_superuser


class SuperuserOnlyAdmin:
    """For admins (and inlines) that decide who may see what, e.g. user scopes: whoever could edit them
    could widen their own scope, so model permissions are not enough; only superusers see them at all."""

    def has_module_permission(self, request):
        return superuser_only(request)

    def has_view_permission(self, request, obj=None):
        return superuser_only(request)

    def has_add_permission(self, request, obj=None):
        return superuser_only(request)

    def has_change_permission(self, request, obj=None):
        return superuser_only(request)

    def has_delete_permission(self, request, obj=None):
        return superuser_only(request)

