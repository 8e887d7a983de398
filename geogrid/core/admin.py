"""Admin for generations (read-only: they are created by the services that publish boundaries) and the
pieces every versioned layer's admin shares."""
from django.contrib import admin
from django.db import DatabaseError, transaction
from django.forms import ModelForm

from geogrid.core.models import Generation, Versioned
from geogrid.core.refusals import refusal_of
from geogrid.core.services import create_generation


class ReadOnlyAdmin(admin.ModelAdmin):
    """For rows that only services or database triggers write: shown for inspection, never edited here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Generation)
class GenerationAdmin(ReadOnlyAdmin):
    list_display = ["id", "description", "created_at", "created_by"]
    list_display_links = ["id", "description"]
    search_fields = ["description"]
    date_hierarchy = "created_at"
    list_select_related = ["created_by"]


class VersionFilter(admin.SimpleListFilter):
    """现行/历史: current rows by default, as a clerk nearly always wants."""

    title = "版本状态"
    parameter_name = "version"

    def lookups(self, request, model_admin):
        return [("current", "现行有效"), ("historical", "历史版本"), ("all", "全部")]

    def value(self):
        return super().value() or "current"

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() == "current":
            return queryset.filter(generation_high__isnull=True)
        if self.value() == "historical":
            return queryset.filter(generation_high__isnull=False)
        return queryset


@admin.display(boolean=True, description="现行")
def is_current(obj) -> bool:
    return obj.generation_high_id is None


class DatabaseCheckedForm(ModelForm):
    """Runs the database's own checks (constraints, triggers) during validation: the row is saved in a
    savepoint that is always rolled back, and a refusal becomes a form error instead of a server error."""

    class _RolledBack(Exception):
        pass

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        adding = self.instance._state.adding
        new_version = adding and isinstance(self.instance, Versioned)
        try:
            with transaction.atomic():
                if new_version:  # the generation a new row will start, created inside the trial too
                    self.instance.generation_low = create_generation("trial")
                self.instance.save()
                raise self._RolledBack
        except self._RolledBack:
            pass
        except DatabaseError as error:
            self.add_error(None, f"数据库校验未通过：{refusal_of(error).message}")
        finally:
            if adding:  # the trial insert gave the instance a primary key that no longer exists
                self.instance.pk = None
                self.instance._state.adding = True
            if new_version:
                self.instance.generation_low = None


class VersionedGeoAdminMixin:
    """For LeafletGeoAdmin of versioned layers: history is never overwritten from the admin.

    A new row starts a generation of its own. The boundary of an existing row is shown on the map without
    editing tools: boundaries change through the grid editor's change requests, which close the old row and
    start a new version. A row of a past generation is entirely read-only.
    """

    geometry_field = "geom"
    generation_fields = ["generation_low", "generation_high"]

    def get_readonly_fields(self, request, obj=None):
        readonly = [*super().get_readonly_fields(request, obj), *self.generation_fields]
        if obj is None or obj.is_current:
            return readonly
        names = [f.name for f in self.model._meta.get_fields()
                 if (f.concrete or f.many_to_many) and not f.auto_created and f.name != self.geometry_field]
        return readonly + [n for n in names if n not in readonly]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        field = form.base_fields.get(self.geometry_field)
        if obj is not None and field is not None:
            field.disabled = True
            field.widget.modifiable = False
        return form

    def save_model(self, request, obj, form, change):
        if not change:
            obj.generation_low = create_generation(f"后台新增{obj._meta.verbose_name}：{obj}", request.user)
        super().save_model(request, obj, form, change)
