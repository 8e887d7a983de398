"""/api/v1/events/<id>: a ticket with its steps, what the user may do and nearby duplicates;
POST /api/v1/events/<id>/transitions {action, note, ...}: one workflow step (400 with the reason if refused,
403 `not_your_role`); POST /api/v1/events/<id>/place {lon, lat, crs, note}: the centre puts a ticket that has no
location yet on the map (crs: cgcs2000 by default, wgs84, gcj02, bd09 or EPSG:nnnn); answers with where it was
routed. Errors in the shared shape {code, message, field} (geogrid.core.api)."""
from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from geogrid.core.api import DomainError, ErrorSerializer, FiniteFloatField, Input, StrictBooleanField, \
    StrictCharField, validated
from geogrid.events.models import Event
from geogrid.events.open311 import STATUS_HELP, Open311RequestOutput, as_open311, located
from geogrid.events.selectors import events_visible_to, nearby_open_duplicates, roles_of
from geogrid.events.services import EXTENSION_DAYS, StepParams, place, transition
from geogrid.events.workflow import ACTIONS, actions_for

ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}
NOTE = {"required": False, "allow_blank": True, "max_length": 2000, "default": ""}


def visible_event(request: Request, pk: int) -> Event:
    event = events_visible_to(request.user).filter(pk=pk).first()
    if event is None:
        raise DomainError("没有此工单", code="no_such_ticket", status=404)
    return event


class EventView(APIView):
    throttle_classes = [UserRateThrottle]

    @extend_schema_serializer(component_name="EventOutput")
    class OutputSerializer(Open311RequestOutput):
        class StepSerializer(serializers.Serializer):
            action = serializers.CharField()
            label = serializers.CharField()
            to = serializers.CharField()
            at = serializers.DateTimeField()
            actor = serializers.CharField(allow_null=True)
            note = serializers.CharField()
            data = serializers.JSONField()

            def get_fields(self) -> dict[str, serializers.Field]:  # "from" is a keyword
                return {**super().get_fields(), "from": serializers.CharField()}

        class ActionSerializer(serializers.Serializer):
            action = serializers.CharField()
            label = serializers.CharField()
            needs_note = serializers.BooleanField()

        class DuplicateSerializer(serializers.Serializer):
            id = serializers.IntegerField()
            distance_m = serializers.FloatField()
            description = serializers.CharField()

        transitions = StepSerializer(many=True)
        actions = ActionSerializer(many=True)
        duplicates = DuplicateSerializer(many=True)

    @extend_schema(operation_id="event", responses={200: OutputSerializer, **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        event = visible_event(request, pk)
        duplicates = [] if event.location is None or not event.is_open else \
            nearby_open_duplicates(event.location, event.category, exclude=event.pk)[:10]
        return Response(self.OutputSerializer({
            **as_open311(event, request.user),
            "transitions": [{"action": t.action, "label": ACTIONS[t.action].label if t.action in ACTIONS else t.action,
                             "from": t.from_status, "to": t.to_status, "at": t.at,
                             "actor": t.actor.username if t.actor else None, "note": t.note, "data": t.data}
                            for t in event.transitions.select_related("actor")],
            "actions": [{"action": a, "label": ACTIONS[a].label, "needs_note": ACTIONS[a].needs_note}
                        for a in actions_for(event, roles_of(request.user, event))],
            "duplicates": [{"id": d.pk, "distance_m": round(d.distance.m, 1), "description": d.description}
                           for d in duplicates],
        }).data)


class TransitionView(APIView):
    throttle_classes = [UserRateThrottle]

    @extend_schema_serializer(component_name="EventTransitionInput")
    class InputSerializer(Input):
        """One step: the action, its note, and the parameters of every action (`workflow.Action.params`
        says which action takes which; another action's parameter is refused). Who takes the step, when, and
        on which ticket are the server's: `at`, `user`, `actor` or `event_id` are refused as unknown fields."""

        action = serializers.ChoiceField(sorted(ACTIONS))
        note = StrictCharField(**NOTE)
        department = StrictCharField(required=False, max_length=20, help_text="dispatch: the unit's code")
        category = StrictCharField(required=False, max_length=10, help_text="recategorise: the category code")
        into = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1,
                                        help_text="merge: the ticket this one duplicates")
        days = serializers.IntegerField(required=False, min_value=EXTENSION_DAYS[0], max_value=EXTENSION_DAYS[1],
                                        help_text="request_extension: working days")
        satisfied = StrictBooleanField(required=False, help_text="close: the reporter's verdict")

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            extra = sorted(set(attrs) - {"action", "note"} - ACTIONS[attrs["action"]].params)
            if extra:
                raise serializers.ValidationError({extra[0]: [serializers.ErrorDetail(
                    f"操作 {attrs['action']} 不接受此字段。", code="not_for_action")]})
            return attrs

    @extend_schema_serializer(component_name="EventTransitionOutput")
    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        status = serializers.CharField(help_text=STATUS_HELP)
        level = serializers.IntegerField()
        due_at = serializers.DateTimeField(allow_null=True)

    @extend_schema(operation_id="event_transition", request=InputSerializer,
                   responses={200: OutputSerializer, **ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        visible_event(request, pk)
        data = dict(validated(self.InputSerializer, request.data))
        action, note = data.pop("action"), data.pop("note")
        event = transition(event_id=pk, action=action, user=request.user, note=note, params=StepParams(**data))
        return Response(self.OutputSerializer(event).data)


class PlaceView(APIView):
    throttle_classes = [UserRateThrottle]

    @extend_schema_serializer(component_name="EventPlaceInput")
    class InputSerializer(Input):
        lon = FiniteFloatField()
        lat = FiniteFloatField()
        crs = StrictCharField(required=False, default="cgcs2000", max_length=20,
                              help_text="cgcs2000 (default), wgs84, gcj02, bd09 or EPSG:nnnn")
        note = StrictCharField(**NOTE)

    @extend_schema_serializer(component_name="EventPlaceOutput")
    class OutputSerializer(serializers.Serializer):
        class GridSerializer(serializers.Serializer):
            code = serializers.CharField()
            name = serializers.CharField()
            level = serializers.IntegerField()

        id = serializers.IntegerField()
        status = serializers.CharField(help_text=STATUS_HELP)
        lon = serializers.FloatField(source="location.x")
        lat = serializers.FloatField(source="location.y")
        grid = GridSerializer(allow_null=True)
        community = serializers.CharField(source="community.name", allow_null=True, default=None)
        street = serializers.CharField(source="street.name", allow_null=True, default=None)
        department = serializers.CharField(source="department.name", allow_null=True, default=None)
        routing_note = serializers.CharField()

    @extend_schema(operation_id="event_place", request=InputSerializer, responses={200: OutputSerializer, **ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        visible_event(request, pk)
        data = validated(self.InputSerializer, request.data)
        point = located(data["lon"], data["lat"], data["crs"], crs_field="crs")
        event = place(event_id=pk, point=point, user=request.user, note=data["note"])
        return Response(self.OutputSerializer(event).data)
