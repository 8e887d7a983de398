"""/api/v1/events/<id>: a ticket with its steps, what the user may do and nearby duplicates;
POST /api/v1/events/<id>/transitions {action, note, ...}: one workflow step (400 with the reason if refused);
POST /api/v1/events/<id>/place {lon, lat, crs, note}: the centre puts a ticket that has no location yet on the map
(crs: cgcs2000 by default, wgs84, gcj02, bd09 or EPSG:nnnn); answers with where it was routed."""
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from geogrid.core.crs import CoordinateError, parse_point
from geogrid.events.open311 import as_open311
from geogrid.events.selectors import events_visible_to, nearby_open_duplicates, roles_of
from geogrid.events.services import place, transition
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


class PlaceView(APIView):
    throttle_classes = [UserRateThrottle]

    def post(self, request: Request, pk: int) -> Response:
        if not events_visible_to(request.user).filter(pk=pk).exists():
            return _not_found()
        try:
            point = parse_point(request.data.get("lon"), request.data.get("lat"), request.data.get("crs") or "cgcs2000")
            event = place(pk, point, request.user, str(request.data.get("note", "")))
        except (CoordinateError, TransitionError) as error:
            return Response({"error": str(error)}, status=400)
        grid = event.grid
        return Response({
            "id": event.pk, "status": event.status, "lon": event.location.x, "lat": event.location.y,
            "grid": {"code": grid.code, "name": grid.name, "level": grid.level} if grid else None,
            "community": event.community.name if event.community else None,
            "street": event.street.name if event.street else None,
            "department": event.department.name if event.department else None,
            "routing_note": event.routing_note,
        })
