"""/api/v1/instructions: list (scoped) and send; /<id>/decision {accept, reason}; /<id>/response {response}."""
from django.shortcuts import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from geogrid.accounts.selectors import scope_of
from geogrid.core.masking import mask_name
from geogrid.grids.models import Grid
from geogrid.instructions import services
from geogrid.instructions.models import GridTask, Instruction
from geogrid.instructions.selectors import instructions_visible_to


def as_json(instruction: Instruction) -> dict:
    return {
        "id": instruction.pk, "department": instruction.department.name, "grid": instruction.grid.code,
        "task": str(instruction.task) if instruction.task else None, "content": instruction.content,
        "person": mask_name(instruction.person_name), "status": instruction.status,
        "status_label": instruction.get_status_display(), "reason": instruction.reason,
        "response": instruction.response, "sent_at": instruction.sent_at.isoformat(),
    }


def _answer(call) -> Response:
    try:
        return Response(as_json(call()))
    except services.InstructionError as error:
        return Response({"error": str(error)}, status=400)


class InstructionsView(APIView):
    throttle_classes = [UserRateThrottle]

    def get(self, request: Request) -> Response:
        return Response([as_json(i) for i in instructions_visible_to(request.user)[:500]])

    def post(self, request: Request) -> Response:
        scope = scope_of(request.user)
        if scope is None or scope.department_id is None:
            return Response({"error": "只有部门用户可以发出指令 / only department users send instructions"}, status=403)
        grid = Grid.objects.current().filter(code=request.data.get("grid", "")).first()
        if grid is None:
            return Response({"error": "没有此网格 / no such grid"}, status=400)
        task = GridTask.objects.filter(code=request.data.get("task") or "").first()
        try:
            instruction = services.send(request.user, scope.department, grid, str(request.data.get("content", "")),
                                        task, str(request.data.get("person_name", ""))[:50],
                                        str(request.data.get("person_address", ""))[:200])
        except services.InstructionError as error:
            return Response({"error": str(error)}, status=400)
        return Response(as_json(instruction), status=201)


class DecisionView(APIView):
    throttle_classes = [UserRateThrottle]

    def post(self, request: Request, pk: int) -> Response:
        instruction = get_object_or_404(instructions_visible_to(request.user), pk=pk)
        return _answer(lambda: services.decide(request.user, instruction, bool(request.data.get("accept")),
                                               str(request.data.get("reason", ""))))


class ResponseView(APIView):
    throttle_classes = [UserRateThrottle]

    def post(self, request: Request, pk: int) -> Response:
        instruction = get_object_or_404(instructions_visible_to(request.user), pk=pk)
        return _answer(lambda: services.respond(request.user, instruction, str(request.data.get("response", ""))))
