"""/api/v1/adjustments/: the grid editor's endpoints (they only translate HTTP; see services and selectors).

    GET  <community>/draft[?level=1]           the current grids as a draft, with live statistics and base ids
    POST <community>/operations                {draft, operation} -> the new draft (split/merge/reshape/draw)
    POST <community>/requests                  {draft, base, reason} -> 201, or 409 with the conflicting grids
    GET  <community>/history                   versions that changed the community's grids
    GET  <community>/history/<generation>      the grids before and after that version
    POST <community>/restore                   {generation, reason} -> a request restoring that version
    GET  requests[?status=pending]             requests in the user's area
    GET  requests/<id>                         one request: before (its base) and after (its proposal)
    POST requests/<id>/decision                {approve: bool, note}
"""
import json
from typing import Any

from django.shortcuts import get_object_or_404
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from geogrid.adjustments import selectors, services
from geogrid.adjustments.models import ChangeRequest
from geogrid.adjustments.partition import EditError
from geogrid.areas.models import Area
from geogrid.core.models import Generation
from geogrid.core.selectors import previous_generation
from geogrid.grids.models import Grid


def _community(request: Request, code: str) -> Area:
    community = get_object_or_404(Area.objects.filter(kind__in=Area.COMMUNITY_KINDS), code=code)
    if not selectors.may_edit(request.user, community):
        raise PermissionDenied("无权调整该社区的网格 / you may not edit this community's grids")
    return community


def _level(request: Request) -> int:
    return 1 if request.query_params.get("level", "1") not in ("2", "3") else int(request.query_params["level"])


class EditorView(APIView):
    throttle_classes = [UserRateThrottle]

    def handle_exception(self, exc):
        if isinstance(exc, EditError):
            return Response({"error": str(exc)}, status=400)
        if isinstance(exc, services.Conflict):
            return Response({"error": str(exc), "conflicts": exc.codes}, status=409)
        return super().handle_exception(exc)


class DraftView(EditorView):
    def get(self, request: Request, code: str) -> Response:
        community = _community(request, code)
        partition, properties = selectors.draft_of(community, _level(request))
        draft = services.live_draft(community, services.Draft(partition, properties))
        pending = selectors.requests_visible_to(request.user).filter(
            community=community, status=ChangeRequest.Status.PENDING)
        return Response({"community": {"code": community.code, "name": community.name}, "draft": draft,
                         "base": {c: p["grid_id"] for c, p in properties.items()},
                         "pending": [_summary(r) for r in pending]})


class OperationView(EditorView):
    def post(self, request: Request, code: str) -> Response:
        community = _community(request, code)
        draft = services.Draft.from_geojson(request.data.get("draft") or {})
        return Response(services.apply_operation(community, draft, request.data.get("operation") or {}))


class SubmitView(EditorView):
    def post(self, request: Request, code: str) -> Response:
        community = _community(request, code)
        draft = services.Draft.from_geojson(request.data.get("draft") or {})
        base = {str(k): int(v) for k, v in (request.data.get("base") or {}).items() if v}
        change = services.submit(request.user, community, draft, base, str(request.data.get("reason", "")),
                                 _level(request))
        return Response(_summary(change), status=201)


class HistoryView(EditorView):
    def get(self, request: Request, code: str) -> Response:
        return Response({"versions": selectors.history_of(_community(request, code), _level(request))})


class VersionView(EditorView):
    def get(self, request: Request, code: str, generation: int) -> Response:
        community = _community(request, code)
        version = get_object_or_404(Generation, pk=generation)
        level = _level(request)
        before = previous_generation(version)
        return Response({"generation": version.pk, "description": version.description,
                         "before": _collection(selectors.grids_at(community, before, level) if before else []),
                         "after": _collection(selectors.grids_at(community, version.pk, level))})


class RestoreView(EditorView):
    def post(self, request: Request, code: str) -> Response:
        community = _community(request, code)
        version = get_object_or_404(Generation, pk=request.data.get("generation"))
        change = services.restore(request.user, community, version, str(request.data.get("reason", "")),
                                  _level(request))
        return Response(_summary(change), status=201)


class RequestListView(EditorView):
    def get(self, request: Request) -> Response:
        requests = selectors.requests_visible_to(request.user)
        if status := request.query_params.get("status"):
            requests = requests.filter(status=status)
        return Response({"requests": [_summary(r) for r in requests[:200]]})


class RequestView(EditorView):
    def get(self, request: Request, pk: int) -> Response:
        change = get_object_or_404(selectors.requests_visible_to(request.user), pk=pk)
        base = Grid.objects.filter(pk__in=change.base.values()).order_by("code")
        return Response({**_summary(change), "before": _collection(base), "after": change.proposal})


class DecisionView(EditorView):
    def post(self, request: Request, pk: int) -> Response:
        change = get_object_or_404(selectors.requests_visible_to(request.user), pk=pk)
        if not selectors.may_approve(request.user, change):
            raise PermissionDenied("只有街道网格中心可以审批 / only the street's grid centre approves")
        change = services.decide(request.user, change, bool(request.data.get("approve")),
                                 str(request.data.get("note", "")))
        return Response(_summary(change))


def _summary(change: ChangeRequest) -> dict[str, Any]:
    return {"id": change.pk, "community": change.community.code, "status": change.status,
            "status_display": change.get_status_display(), "reason": change.reason, "changed": change.changed,
            "removed": change.removed, "created_by": change.created_by.get_username(),
            "created_at": change.created_at.isoformat(), "generation": change.generation_id,
            "decided_by": change.decided_by.get_username() if change.decided_by else None,
            "decision_note": change.decision_note}


def _collection(grids) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": g.code, "geometry": json.loads(g.geom.geojson),
         "properties": {"code": g.code, "name": g.name, "grid_id": g.pk}} for g in grids]}
