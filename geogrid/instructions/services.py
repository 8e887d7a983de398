"""Writes: a department sends an instruction (checked at once against the task list and the person's grid),
the centre accepts or returns it, the grid's worker responds."""
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from geogrid.accounts.selectors import area_code_prefix, scope_of
from geogrid.areas.models import Area
from geogrid.buildings.addresses import buildings_at_address
from geogrid.core.api import DomainError
from geogrid.departments.models import Department
from geogrid.grids.models import Grid
from geogrid.instructions.defaults import GRID_TASKS
from geogrid.instructions.models import GridTask, Instruction


class InstructionError(DomainError):
    """A request that cannot be made (who may do what): the message says why, the code which rule it broke."""


def install_task_list() -> int:
    """The default 准入清单 (missing codes only; edited rows stay). Returns how many rows it created."""
    created = 0
    for code, kind, name, supervisor in GRID_TASKS:
        created += GridTask.objects.get_or_create(code=code, defaults={
            "kind": kind, "name": name, "supervisor": supervisor})[1]
    return created


def send(*, user: User, department: Department, grid: Grid, content: str, task: GridTask | None,
         person_name: str = "", person_address: str = "") -> Instruction:
    """File a department's instruction to a grid inside the department's area (a street's police station
    instructs only its street's grids). It is returned at once, with the reason, when its work is not on the
    task list or it is about a person who does not live or work in the grid; otherwise the centre decides."""
    scope = scope_of(user)
    if not user.is_superuser and (scope is None or scope.department_id != department.pk):
        raise InstructionError("只能以本部门名义发出指令", code="not_your_department", status=403)
    if not grid.community.code.startswith(Area.code_prefix(department.area.code)):
        raise InstructionError(f"网格 {grid.code} 不在{department.name}的辖区内", code="grid_outside_department",
                               field="grid")
    if not content.strip():
        raise InstructionError("请填写指令内容", code="required", field="content")
    instruction = Instruction(department=department, grid=grid, content=content, task=task, sent_by=user,
                              person_name=person_name, person_address=person_address)
    instruction.reason = _refusal(instruction)
    if instruction.reason:
        instruction.status = Instruction.Status.REFUSED
    instruction.save()
    return instruction


def _refusal(instruction: Instruction) -> str:
    """Why the instruction must go back, or "" when it may go to the centre."""
    if instruction.task is None or not instruction.task.active:
        return "该事项不在网格化服务管理事项准入清单内"
    if not instruction.person_name:
        return ""
    if not instruction.person_address.strip():
        return "涉及具体人员的指令须填写其住址或工作地址"
    buildings = buildings_at_address(instruction.person_address)
    grid = instruction.grid
    inside = [b for b in buildings if grid.pk in (b.grid_l1_id, b.grid_l2_id, b.grid_l3_id)]
    if inside:
        instruction.person_building = inside[0]
        return ""
    if buildings:
        elsewhere = buildings[0].grid_l1
        return (f"{instruction.person_name}不在网格 {grid.code} 内居住或工作（地址位于 "
                f"{elsewhere.code if elsewhere else '网格外'}）")
    return f"地址“{instruction.person_address}”未能匹配到楼栋"


def decide(*, user: User, instruction: Instruction, accept: bool, reason: str = "") -> Instruction:
    """The centre of the grid's area passes the instruction to the grid, or returns it with a reason."""
    with transaction.atomic():
        instruction = Instruction.objects.select_for_update(of=("self",)).select_related("grid__community").get(
            pk=instruction.pk)
        if not (_covers(user, instruction) and user.has_perm("events.review_event")):
            raise InstructionError("只有网格所在街道的网格管理中心可以审核", code="not_your_role", status=403)
        if instruction.status != Instruction.Status.PENDING:
            raise InstructionError(f"指令已{instruction.get_status_display()}", code="already_decided")
        if not accept and not reason.strip():
            raise InstructionError("退回须说明理由", code="reason_required", field="reason")
        instruction.status = Instruction.Status.ACCEPTED if accept else Instruction.Status.REFUSED
        instruction.reason, instruction.decided_by = reason, user
        instruction.save()
    return instruction


def respond(*, user: User, instruction: Instruction, response: str) -> Instruction:
    """A worker of the grid's area reports what was done."""
    with transaction.atomic():
        instruction = Instruction.objects.select_for_update(of=("self",)).select_related("grid__community").get(
            pk=instruction.pk)
        if not _covers(user, instruction):
            raise InstructionError("只有该网格的工作人员可以响应", code="not_your_role", status=403)
        if instruction.status != Instruction.Status.ACCEPTED:
            raise InstructionError("只能响应已下达网格的指令", code="not_accepted")
        if not response.strip():
            raise InstructionError("请填写响应情况", code="required", field="response")
        instruction.status, instruction.response, instruction.done_at = Instruction.Status.DONE, response, timezone.now()
        instruction.save()
    return instruction


def _covers(user: User, instruction: Instruction) -> bool:
    scope = scope_of(user)
    prefix = area_code_prefix(user)
    if user.is_superuser:
        return True
    return scope is not None and scope.area_id is not None and prefix is not None \
        and instruction.grid.community.code.startswith(prefix)
