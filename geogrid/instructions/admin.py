"""The grid task list is edited in the admin; instructions are read there (they change through the API)."""
from django.contrib import admin

from geogrid.accounts.admin_scope import AreaScopedAdmin
from geogrid.core.admin import ReadOnlyAdmin
from geogrid.instructions.models import GridTask, Instruction


@admin.register(GridTask)
class GridTaskAdmin(admin.ModelAdmin):
    list_display = ["code", "kind", "name", "supervisor", "active"]
    list_filter = ["kind", "active"]


@admin.register(Instruction)
class InstructionAdmin(AreaScopedAdmin, ReadOnlyAdmin):
    scope_code_path = "grid__community__code"
    list_display = ["sent_at", "department", "grid", "task", "status", "reason"]
    list_filter = ["status", "department"]
    list_select_related = ["department", "grid", "task"]
