"""Admin for the score sheet (a county or street edits its own copy; superusers the default) and the centre's
marks for its grid workers, each kept to the user's area (`AreaScopedAdmin`)."""
from django.contrib import admin
from django.contrib.auth.models import User

from geogrid.accounts.admin_scope import AreaScopedAdmin
from geogrid.accounts.selectors import area_code_prefix
from geogrid.scores.models import ScoreItem, ScoreMark, ScoreSheet, TicketBand


class ScoreItemInline(admin.TabularInline):
    model = ScoreItem
    fields = ["order", "name", "max_points", "source", "rules"]
    extra = 0


class TicketBandInline(admin.TabularInline):
    model = TicketBand
    fields = ["direction", "threshold", "adjustment", "disqualifies"]
    extra = 0


@admin.register(ScoreSheet)
class ScoreSheetAdmin(AreaScopedAdmin, admin.ModelAdmin):
    scope_code_path = "area__code"  # the default sheet (no area) is for superusers to edit
    list_display = ["name", "area", "pass_mark", "points_per_ticket", "quality_floor"]
    raw_id_fields = ["area"]
    inlines = [ScoreItemInline, TicketBandInline]


@admin.register(ScoreMark)
class ScoreMarkAdmin(AreaScopedAdmin, admin.ModelAdmin):
    scope_code_path = "worker__scope__area__code"
    list_display = ["month", "worker", "item", "points", "veto", "reason", "entered_by", "entered_at"]
    list_filter = ["month", "veto", ("item", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["worker__username", "worker__first_name", "worker__last_name", "reason"]
    list_select_related = ["worker", "item", "entered_by"]
    fields = ["worker", "month", "item", "points", "reason", "veto"]
    date_hierarchy = "month"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """Workers to pick: the accounts inside the user's area."""
        if db_field.name == "worker":
            prefix = area_code_prefix(request.user)
            users = User.objects.filter(is_active=True).order_by("username")
            kwargs["queryset"] = (users if prefix == "" else
                                  users.none() if prefix is None else users.filter(scope__area__code__startswith=prefix))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj: ScoreMark, form, change: bool) -> None:
        if not change:
            obj.entered_by = request.user
        super().save_model(request, obj, form, change)
