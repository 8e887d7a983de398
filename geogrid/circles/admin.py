"""Admin for the service circles: walking networks (built by `build_walking_network`, renamed here), and runs
with their site suggestions, read-only (a run's results are computed once and never edited; new runs are
queued from /circles/ or the commands). Runs and suggestions are kept to the user's area like every other
area-scoped admin; a run over everything (no area) is seen by superusers only, as on the page."""
import json

from django.contrib import admin
from django.utils.html import format_html

from geogrid.accounts.admin_scope import AreaScopedAdmin
from geogrid.circles.models import CircleRun, SiteSuggestion, WalkingNetwork
from geogrid.core.admin import ReadOnlyAdmin


@admin.register(WalkingNetwork)
class WalkingNetworkAdmin(admin.ModelAdmin):
    """Networks belong to no area (an OSM extract may span several); only the name is edited here, the rest
    comes from the build. Deleting one deletes its runs."""

    list_display = ["name", "source", "speed_mps", "tobler", "vertex_count", "edge_count", "length_km", "created_at"]
    list_filter = ["source", "tobler"]
    search_fields = ["name"]
    readonly_fields = ["source", "speed_mps", "tobler", "dem_path", "vertex_count", "edge_count", "length_km",
                       "created_at"]
    fields = ["name", *readonly_fields]

    def has_add_permission(self, request) -> bool:
        return False


class SiteSuggestionInline(admin.TabularInline):
    model = SiteSuggestion
    fields = ["method", "rank", "candidate", "candidate_label", "gain", "gain_buildings", "snap_m"]
    readonly_fields = fields
    can_delete = False
    extra = 0

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CircleRun)
class CircleRunAdmin(AreaScopedAdmin, ReadOnlyAdmin):
    scope_code_path = "area__code"
    list_display = ["id", "created_at", "network", "area", "mode", "status", "progress_bar", "covered_share",
                    "given_candidates", "user"]
    list_filter = ["status", "mode", "weight", "network"]
    search_fields = ["area__name", "area__code", "user__username"]
    date_hierarchy = "created_at"
    list_select_related = ["network", "area", "user"]
    fields = ["network", "area", "station_kind", "mode", "weight", "new_sites", "target_share", "user", "status",
              "progress_bar", "stage", "created_at", "finished_at", "given_candidates", "candidate_crs",
              "summary_text", "error"]
    readonly_fields = fields
    inlines = [SiteSuggestionInline]

    @admin.display(description="进度")
    def progress_bar(self, obj: CircleRun) -> str:
        return format_html('<progress max="100" value="{}"></progress> {}%{}', obj.progress, obj.progress,
                           f"（{obj.stage}）" if obj.stage and obj.status == CircleRun.Status.RUNNING else "")

    @admin.display(description="覆盖率")
    def covered_share(self, obj: CircleRun) -> str:
        summary = obj.summary or {}
        if not summary.get("households"):
            return "—"
        return f"{summary['covered'][-1] / summary['households']:.1%}"

    @admin.display(description="给定候选")
    def given_candidates(self, obj: CircleRun) -> str:
        return f"{len(obj.candidates)} 个" if obj.candidates else "路网节点"

    @admin.display(description="结果摘要")
    def summary_text(self, obj: CircleRun) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.summary, ensure_ascii=False, indent=2))


@admin.register(SiteSuggestion)
class SiteSuggestionAdmin(AreaScopedAdmin, ReadOnlyAdmin):
    scope_code_path = "run__area__code"
    list_display = ["run", "method", "rank", "candidate", "candidate_label", "gain", "gain_buildings", "snap_m"]
    list_filter = ["method"]
    search_fields = ["candidate_label"]
    list_select_related = ["run"]
    fields = ["run", "method", "rank", "vertex_text", "candidate", "candidate_label", "point_text", "snap_m", "gain",
              "gain_buildings"]
    readonly_fields = fields

    @admin.display(description="路网节点 ID")
    def vertex_text(self, obj: SiteSuggestion) -> str:
        return str(obj.vertex_id) if obj.vertex_id else "—（给定候选）"

    @admin.display(description="位置（CGCS2000）")
    def point_text(self, obj: SiteSuggestion) -> str:
        return f"{obj.point.x:.7f}, {obj.point.y:.7f}"
