"""/api/v1/events/<id>: a ticket with its steps, what the user may do and nearby duplicates;
POST /api/v1/events/<id>/transitions {action, note, ...}: one workflow step (400 with the reason if refused)."""
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from geogrid.events.open311 import as_open311
from geogrid.events.selectors import events_visible_to, nearby_open_duplicates, roles_of
from geogrid.events.services import transition
from geogrid.events.workflow import ACTIONS, TransitionError, actions_for


def _not_found() -> Response:
    return Response({"error": "没有此工单 / no such ticket"}, status=404)


class EventView(APIView):
    throttle_classes = [UserRateThrottle]

    def get(self, request: Request, pk: int) -> Response:
        event = events_visible_to(request.user).filter(pk=pk).first()
        if event is None:
            return _not_found()
        duplicates = [] if event.location is None or not event.is_open else \
            nearby_open_duplicates(event.location, event.category, exclude=event.pk)[:10]
        return Response({
            **as_open311(event, request.user),
            "transitions": [{"action": t.action, "label": ACTIONS[t.action].label if t.action in ACTIONS else t.action,
                             "from": t.from_status, "to": t.to_status, "at": t.at.isoformat(),
                             "actor": t.actor.username if t.actor else None, "note": t.note, "data": t.data}
                            for t in event.transitions.select_related("actor")],
            "actions": [{"action": a, "label": ACTIONS[a].label, "needs_note": ACTIONS[a].needs_note}
                        for a in actions_for(event, roles_of(request.user, event))],
            "duplicates": [{"id": d.pk, "distance_m": round(d.distance.m, 1), "description": d.description}
                           for d in duplicates],
        })


class TransitionView(APIView):
    throttle_classes = [UserRateThrottle]

    def post(self, request: Request, pk: int) -> Response:
        if not events_visible_to(request.user).filter(pk=pk).exists():
            return _not_found()
        data = {k: v for k, v in request.data.items() if k not in ("action", "note")}
        try:
            event = transition(pk, str(request.data.get("action", "")), request.user,
                               str(request.data.get("note", "")), **data)
        except TransitionError as error:
            return Response({"error": str(error)}, status=400)
        return Response({"id": event.pk, "status": event.status, "level": event.level,
                         "due_at": event.due_at.isoformat() if event.due_at else None})
