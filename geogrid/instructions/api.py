"""/api/v1/instructions: list (scoped) and send {grid, task, content, person_name, person_address};
/<id>/decision {accept, reason}; /<id>/response {response}. Errors in the shared shape {code, message, field}
(geogrid.core.api): e.g. 403 `not_department_user`, `not_your_role`; 400 `no_such_grid`,
`grid_outside_department`, `already_decided`, `reason_required`."""
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from geogrid.accounts.selectors import scope_of
from geogrid.core.api import DomainError, ErrorSerializer, Input, StrictBooleanField, StrictCharField, validated
from geogrid.core.masking import mask_name
from geogrid.grids.models import Grid
from geogrid.instructions import services
from geogrid.instructions.models import GridTask, Instruction
from geogrid.instructions.selectors import instructions_visible_to

ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


@extend_schema_serializer(component_name="InstructionOutput")
class InstructionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    department = serializers.CharField(source="department.name")
    grid = serializers.CharField(source="grid.code")
    task = serializers.SerializerMethodField()
    content = serializers.CharField()
    person = serializers.SerializerMethodField(help_text="the person's name, masked")
    status = serializers.CharField(help_text="、".join(f"{v}（{label}）" for v, label in Instruction.Status.choices))
    status_label = serializers.CharField(source="get_status_display")
    reason = serializers.CharField()
    response = serializers.CharField()
    sent_at = serializers.DateTimeField()

    def get_task(self, instruction: Instruction) -> str | None:
        return str(instruction.task) if instruction.task else None

    def get_person(self, instruction: Instruction) -> str:
        return mask_name(instruction.person_name)


def _visible(request: Request, pk: int) -> Instruction:
    return get_object_or_404(instructions_visible_to(request.user), pk=pk)


class InstructionsView(APIView):
    throttle_classes = [UserRateThrottle]

    @extend_schema_serializer(component_name="InstructionSendInput")
    class InputSerializer(Input):
        grid = StrictCharField(max_length=24)
        task = StrictCharField(required=False, allow_blank=True, default="", max_length=10,
                               help_text="准入清单 code; work off the list is returned at once")
        content = StrictCharField(max_length=2000)
        person_name = StrictCharField(required=False, allow_blank=True, default="", max_length=50)
        person_address = StrictCharField(required=False, allow_blank=True, default="", max_length=200)

    @extend_schema(operation_id="instructions_list", responses={200: InstructionOutput(many=True), **ERRORS})
    def get(self, request: Request) -> Response:
        return Response(InstructionOutput(instructions_visible_to(request.user)[:500], many=True).data)

    @extend_schema(operation_id="instructions_send", request=InputSerializer,
                   responses={201: InstructionOutput, **ERRORS})
    def post(self, request: Request) -> Response:
        scope = scope_of(request.user)
        if scope is None or scope.department_id is None:
            raise DomainError("只有部门用户可以发出指令", code="not_department_user", status=403)
        data = validated(self.InputSerializer, request.data)
        grid = Grid.objects.current().select_related("community").filter(code=data["grid"]).first()
        if grid is None:
            raise DomainError("没有此网格", code="no_such_grid", field="grid")
        instruction = services.send(
            user=request.user, department=scope.department, grid=grid, content=data["content"],
            task=GridTask.objects.filter(code=data["task"]).first() if data["task"] else None,
            person_name=data["person_name"], person_address=data["person_address"])
        return Response(InstructionOutput(instruction).data, status=201)


class DecisionView(APIView):
    throttle_classes = [UserRateThrottle]

    @extend_schema_serializer(component_name="InstructionDecisionInput")
    class InputSerializer(Input):
        accept = StrictBooleanField(help_text="true: pass it to the grid; false: return it (with a reason)")
        reason = StrictCharField(required=False, allow_blank=True, default="", max_length=300)

    @extend_schema(operation_id="instruction_decision", request=InputSerializer,
                   responses={200: InstructionOutput, **ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        instruction = _visible(request, pk)
        data = validated(self.InputSerializer, request.data)
        return Response(InstructionOutput(services.decide(
            user=request.user, instruction=instruction, accept=data["accept"], reason=data["reason"])).data)


class ResponseView(APIView):
    throttle_classes = [UserRateThrottle]

    @extend_schema_serializer(component_name="InstructionResponseInput")
    class InputSerializer(Input):
        response = StrictCharField(max_length=2000)

    @extend_schema(operation_id="instruction_response", request=InputSerializer,
                   responses={200: InstructionOutput, **ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        instruction = _visible(request, pk)
        data = validated(self.InputSerializer, request.data)
        return Response(InstructionOutput(services.respond(
            user=request.user, instruction=instruction, response=data["response"])).data)
