"""Admin for grid sizing rules: each county edits its own numbers; the default rule set cannot be deleted
(counties without rules of their own fall back to it)."""
from django.contrib import admin

from geogrid.accounts.admin_scope import AreaScopedAdmin
from geogrid.coverage.models import SizingRules


@admin.register(SizingRules)
class SizingRulesAdmin(AreaScopedAdmin, admin.ModelAdmin):
    scope_code_path = "county__code"  # a county's own users; the default rule set (no county): superusers
    list_display = ["__str__", "urban_min_households", "urban_max_households", "rural_min_households",
                    "rural_max_households", "level1_range_enabled", "sliver_tolerance_m2", "exclusive_may_overlap"]
    list_select_related = ["county"]
    autocomplete_fields = ["county"]
    fieldsets = [
        (None, {"fields": ["county", "basis"]}),
        ("城市、农村网格", {"fields": ["urban_min_households", "urban_max_households",
                                  "rural_min_households", "rural_max_households"]}),
        ("住宅小区网格", {"fields": ["estate_max_planned_households", "estate_min_resident_households"]}),
        ("分级网格", {"fields": ["level1_range_enabled", "level1_min_households", "level1_max_households",
                             "level3_min_households", "level3_max_households"]}),
        ("覆盖校验与修复", {"fields": ["sliver_tolerance_m2", "sliver_width_m", "repair_gap_width_m",
                                  "exclusive_may_overlap"]}),
    ]

    def has_delete_permission(self, request, obj: SizingRules | None = None) -> bool:
        return super().has_delete_permission(request, obj) and (obj is None or obj.county_id is not None)
