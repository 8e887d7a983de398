"""/api/v1/adjustments/: the grid editor's endpoints (they only translate HTTP; see services and selectors).

    GET  <community>/draft[?level=1]           the current grids as a draft, with live statistics and base ids
    POST <community>/operations                {draft, operation} -> the new draft (split/merge/reshape/draw)
    POST <community>/requests                  {draft, base, reason} -> 201, or 409 with the conflicting grids
    GET  <community>/history                   versions that changed the community's grids
    GET  <community>/history/<generation>      the grids before and after that version
    POST <community>/restore                   {generation, reason} -> a request restoring that version
    GET  requests[?status=pending]             requests in the user's area (not for department users)
    GET  requests/<id>                         one request: before (its base) and after (its proposal)
    POST requests/<id>/decision                {approve: true/false, note}; with the four-eyes rule
                                               (GEOGRID_FOUR_EYES, on by default) not by its author: 403 own_request

Every error answers in the shared shape {code, message, field} (geogrid.core.api); a conflict (409) keeps
the conflicting grid codes under `conflicts`.
"""
import json
import math
from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from geogrid.adjustments import selectors, services
from geogrid.adjustments.models import ChangeRequest
from geogrid.areas.models import Area
from geogrid.core.api import ErrorSerializer, Input, StrictBooleanField, StrictCharField, validated
from geogrid.core.models import Generation
from geogrid.core.selectors import previous_generation
from geogrid.grids.models import Grid

LINES = ("LineString",)
POLYGONS = ("Polygon", "MultiPolygon")
ROW_ID = {"min_value": 1, "max_value": 2**63 - 1}  # a BigAutoField's range
ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}
CONFLICT = OpenApiResponse(ErrorSerializer, description="冲突：`conflicts` 列出冲突的网格编码")


def _community(request: Request, code: str) -> Area:
    community = get_object_or_404(Area.objects.filter(kind__in=Area.COMMUNITY_KINDS), code=code)
    if not selectors.may_edit(request.user, community):
        raise PermissionDenied("无权调整该社区的网格")
    return community


# ---- shared input and output shapes ----------------------------------------------------------------------

def _lon_lat_positions(coordinates: Any, depth: int) -> bool:
    """Nested lists, `depth` deep, ending in [lon, lat] (or [lon, lat, z]) positions of finite numbers on
    the globe (no strings, booleans, NaN or inf)."""
    if not isinstance(coordinates, list):
        return False
    if depth == 0:
        numbers = len(coordinates) in (2, 3) and all(
            isinstance(c, (int, float)) and not isinstance(c, bool) and math.isfinite(c) for c in coordinates)
        return numbers and -180 <= coordinates[0] <= 180 and -90 <= coordinates[1] <= 90
    return all(_lon_lat_positions(c, depth - 1) for c in coordinates)


class GeometryField(serializers.JSONField):
    """A GeoJSON geometry object of one of `types` (lon/lat, CGCS2000) whose coordinates are finite numbers."""

    DEPTHS = {"LineString": 1, "Polygon": 2, "MultiPolygon": 3}
    default_error_messages = {"invalid_geometry": "须为 GeoJSON 几何对象（{types}），坐标为有限的经纬度。"}

    def __init__(self, *, types: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.types = types

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        data = super().to_internal_value(data)
        if not (isinstance(data, dict) and set(data) <= {"type", "coordinates", "bbox"}
                and data.get("type") in self.types
                and _lon_lat_positions(data.get("coordinates"), self.DEPTHS[data["type"]])):
            self.fail("invalid_geometry", types="、".join(self.types))
        return data


class FeaturePropertiesSerializer(Input):
    code = StrictCharField(max_length=24)
    name = StrictCharField(required=False, allow_blank=True, max_length=100)
    grid_id = serializers.IntegerField(required=False, allow_null=True, **ROW_ID)
    level = serializers.IntegerField(required=False, min_value=1, max_value=3)
    kind = serializers.ChoiceField(Grid.Kind.choices, required=False)
    setting = serializers.ChoiceField(Grid.Setting.choices, required=False)
    stats = serializers.JSONField(required=False, write_only=True)  # the server's own statistics: ignored

    def get_fields(self) -> dict[str, serializers.Field]:  # "from" (the grid a new grid came from) is a keyword
        return {**super().get_fields(), "from": StrictCharField(required=False, allow_null=True, max_length=24)}


class FeatureSerializer(Input):
    type = serializers.ChoiceField(["Feature"])
    id = serializers.JSONField(required=False)
    geometry = GeometryField(types=POLYGONS)
    properties = FeaturePropertiesSerializer()


class DraftSerializer(Input):
    """A draft: the community's grids of one level as a GeoJSON FeatureCollection."""

    type = serializers.ChoiceField(["FeatureCollection"])
    features = FeatureSerializer(many=True, max_length=2000)


class LevelQuery(Input):
    level = serializers.IntegerField(required=False, default=1, min_value=1, max_value=3)


class ChangeRequestOutput(serializers.Serializer):
    id = serializers.IntegerField()
    community = serializers.CharField(source="community.code")
    status = serializers.ChoiceField(ChangeRequest.Status.choices)
    status_display = serializers.CharField(source="get_status_display")
    reason = serializers.CharField()
    changed = serializers.ListField(child=serializers.CharField())
    removed = serializers.ListField(child=serializers.CharField())
    created_by = serializers.CharField(source="created_by.username")
    created_at = serializers.DateTimeField()
    generation = serializers.IntegerField(source="generation_id", allow_null=True)
    decided_by = serializers.CharField(source="decided_by.username", allow_null=True, default=None)
    decision_note = serializers.CharField()


def _summary(change: ChangeRequest) -> dict[str, Any]:
    return ChangeRequestOutput(change).data


def _level(request: Request) -> int:
    return validated(LevelQuery, request.query_params)["level"]


class EditorView(APIView):
    throttle_classes = [UserRateThrottle]


# ---- the editor ------------------------------------------------------------------------------------------

class DraftView(EditorView):
    @extend_schema_serializer(component_name="AdjustmentsDraftOutput")
    class OutputSerializer(serializers.Serializer):
        community = serializers.DictField()
        draft = serializers.JSONField(help_text="GeoJSON FeatureCollection, with live statistics per grid")
        base = serializers.DictField(child=serializers.IntegerField(), help_text="grid code -> grid id")
        pending = ChangeRequestOutput(many=True)

    @extend_schema(operation_id="adjustments_draft", parameters=[LevelQuery], responses={200: OutputSerializer, **ERRORS})
    def get(self, request: Request, code: str) -> Response:
        community = _community(request, code)
        partition, properties = selectors.draft_of(community, _level(request))
        draft = services.live_draft(community=community, draft=services.Draft(partition, properties))
        pending = selectors.requests_visible_to(request.user).filter(
            community=community, status=ChangeRequest.Status.PENDING)
        return Response(self.OutputSerializer({
            "community": {"code": community.code, "name": community.name}, "draft": draft,
            "base": {c: p["grid_id"] for c, p in properties.items()}, "pending": pending}).data)


class OperationView(EditorView):
    @extend_schema_serializer(component_name="AdjustmentsOperationInput")
    class InputSerializer(Input):
        class OperationSerializer(Input):
            NEEDS = {"split": ("grid", "line"), "merge": ("grids",), "reshape": ("grid", "region"),
                     "draw": ("region",)}
            op = serializers.ChoiceField(services.OPERATIONS)
            grid = StrictCharField(required=False, max_length=24)
            grids = serializers.ListField(child=StrictCharField(max_length=24), required=False, max_length=50)
            line = GeometryField(types=LINES, required=False)
            region = GeometryField(types=POLYGONS, required=False)
            name = StrictCharField(required=False, allow_blank=True, max_length=100)

            def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
                missing = [name for name in self.NEEDS[attrs["op"]] if name not in attrs]
                if missing:
                    raise serializers.ValidationError(
                        {missing[0]: [serializers.ErrorDetail("该操作须填写此项。", code="required")]})
                return attrs

        draft = DraftSerializer()
        operation = OperationSerializer()

    @extend_schema_serializer(component_name="AdjustmentsOperationOutput")
    class OutputSerializer(serializers.Serializer):
        draft = serializers.JSONField()
        changed = serializers.ListField(child=serializers.CharField())
        removed = serializers.ListField(child=serializers.CharField())
        warnings = serializers.ListField(child=serializers.CharField())

    @extend_schema(operation_id="adjustments_operation", request=InputSerializer,
                   responses={200: OutputSerializer, **ERRORS})
    def post(self, request: Request, code: str) -> Response:
        community = _community(request, code)
        data = validated(self.InputSerializer, request.data)
        draft = services.Draft.from_geojson(data["draft"])
        result = services.apply_operation(community=community, draft=draft, operation=data["operation"])
        return Response(self.OutputSerializer(result).data)


class SubmitView(EditorView):
    @extend_schema_serializer(component_name="AdjustmentsSubmitInput")
    class InputSerializer(Input):
        draft = DraftSerializer()
        base = serializers.DictField(child=serializers.IntegerField(allow_null=True, **ROW_ID))
        reason = StrictCharField(max_length=2000)

    @extend_schema(operation_id="adjustments_submit", request=InputSerializer, parameters=[LevelQuery],
                   responses={201: ChangeRequestOutput, 409: CONFLICT, **ERRORS})
    def post(self, request: Request, code: str) -> Response:
        community = _community(request, code)
        level = _level(request)
        data = validated(self.InputSerializer, request.data)
        draft = services.Draft.from_geojson(data["draft"])
        change = services.submit(user=request.user, community=community, draft=draft,
                                 base={c: pk for c, pk in data["base"].items() if pk}, reason=data["reason"],
                                 level=level)
        return Response(_summary(change), status=201)


# ---- history ---------------------------------------------------------------------------------------------

class HistoryView(EditorView):
    @extend_schema_serializer(component_name="AdjustmentsHistoryOutput")
    class OutputSerializer(serializers.Serializer):
        class VersionSerializer(serializers.Serializer):
            generation = serializers.IntegerField()
            created_at = serializers.CharField()
            description = serializers.CharField()
            by = serializers.CharField(allow_null=True)
            request = serializers.IntegerField(allow_null=True)
            added = serializers.ListField(child=serializers.CharField())
            changed = serializers.ListField(child=serializers.CharField())
            removed = serializers.ListField(child=serializers.CharField())

        versions = VersionSerializer(many=True)

    @extend_schema(operation_id="adjustments_history", parameters=[LevelQuery],
                   responses={200: OutputSerializer, **ERRORS})
    def get(self, request: Request, code: str) -> Response:
        community = _community(request, code)
        return Response(self.OutputSerializer({"versions": selectors.history_of(community, _level(request))}).data)


class VersionView(EditorView):
    @extend_schema_serializer(component_name="AdjustmentsVersionOutput")
    class OutputSerializer(serializers.Serializer):
        generation = serializers.IntegerField()
        description = serializers.CharField()
        before = serializers.JSONField(help_text="GeoJSON FeatureCollection")
        after = serializers.JSONField(help_text="GeoJSON FeatureCollection")

    @extend_schema(operation_id="adjustments_version", parameters=[LevelQuery],
                   responses={200: OutputSerializer, **ERRORS})
    def get(self, request: Request, code: str, generation: int) -> Response:
        community = _community(request, code)
        level = _level(request)
        version = get_object_or_404(Generation, pk=generation)
        before = previous_generation(version)
        return Response(self.OutputSerializer({
            "generation": version.pk, "description": version.description,
            "before": _collection(selectors.grids_at(community, before, level) if before else []),
            "after": _collection(selectors.grids_at(community, version.pk, level))}).data)


class RestoreView(EditorView):
    @extend_schema_serializer(component_name="AdjustmentsRestoreInput")
    class InputSerializer(Input):
        generation = serializers.IntegerField(**ROW_ID)
        reason = StrictCharField(max_length=2000)

    @extend_schema(operation_id="adjustments_restore", request=InputSerializer, parameters=[LevelQuery],
                   responses={201: ChangeRequestOutput, 409: CONFLICT, **ERRORS})
    def post(self, request: Request, code: str) -> Response:
        community = _community(request, code)
        level = _level(request)
        data = validated(self.InputSerializer, request.data)
        version = get_object_or_404(Generation, pk=data["generation"])
        change = services.restore(user=request.user, community=community, generation=version,
                                  reason=data["reason"], level=level)
        return Response(_summary(change), status=201)


# ---- change requests -------------------------------------------------------------------------------------

class RequestListView(EditorView):
    class QuerySerializer(Input):
        status = serializers.ChoiceField(ChangeRequest.Status.choices, required=False)

    @extend_schema_serializer(component_name="AdjustmentsRequestListOutput")
    class OutputSerializer(serializers.Serializer):
        requests = ChangeRequestOutput(many=True)

    @extend_schema(operation_id="adjustments_requests_list", parameters=[QuerySerializer],
                   responses={200: OutputSerializer, **ERRORS})
    def get(self, request: Request) -> Response:
        query = validated(self.QuerySerializer, request.query_params)
        requests = selectors.requests_visible_to(request.user)
        if "status" in query:
            requests = requests.filter(status=query["status"])
        return Response(self.OutputSerializer({"requests": requests[:200]}).data)


class PersonMovedSerializer(serializers.Serializer):
    name = serializers.CharField()
    role = serializers.CharField(help_text="角色（网格长、专职网格员…）")
    grid = serializers.CharField(help_text="gained: the grid they come from (恢复: the restored version); "
                                           "lost: the grid they go to")


class GridEffectSerializer(serializers.Serializer):
    """What one affected grid gains and loses when the request is approved."""

    code = serializers.CharField()
    name = serializers.CharField()
    status = serializers.ChoiceField(["new", "changed", "removed"])
    households_before = serializers.IntegerField()
    households_after = serializers.IntegerField()
    population_before = serializers.IntegerField()
    population_after = serializers.IntegerField()
    staff_gained = PersonMovedSerializer(many=True)
    staff_lost = PersonMovedSerializer(many=True)
    children_in = serializers.ListField(child=serializers.CharField(), help_text="child grids moved in")
    children_out = serializers.ListField(child=serializers.CharField(), help_text="child grids moved out")
    business_in = serializers.ListField(child=serializers.CharField(), help_text="business grids now covering it")
    business_out = serializers.ListField(child=serializers.CharField(), help_text="business grids leaving it")
    violations = serializers.ListField(child=serializers.CharField(), help_text="rule violations after the edit")


class RequestView(EditorView):
    @extend_schema_serializer(component_name="AdjustmentsRequestOutput")
    class OutputSerializer(ChangeRequestOutput):
        before = serializers.JSONField(help_text="GeoJSON FeatureCollection: the grids it was drawn on")
        after = serializers.JSONField(source="proposal", help_text="GeoJSON FeatureCollection: the proposal")
        effects = GridEffectSerializer(many=True, help_text="per affected grid: staff, households, child grids, "
                                                            "business grids and rule violations (recorded at "
                                                            "approval; for a pending request, as approval would "
                                                            "do it now)")

    @extend_schema(operation_id="adjustments_request", responses={200: OutputSerializer, **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        change = get_object_or_404(selectors.requests_visible_to(request.user), pk=pk)
        change.before = _collection(Grid.objects.filter(pk__in=change.base.values()).order_by("code"))
        change.effects = services.effects_of(change)
        return Response(self.OutputSerializer(change).data)


class DecisionView(EditorView):
    @extend_schema_serializer(component_name="AdjustmentsDecisionInput")
    class InputSerializer(Input):
        approve = StrictBooleanField()
        note = StrictCharField(required=False, allow_blank=True, default="", max_length=2000)

    @extend_schema(operation_id="adjustments_decide", request=InputSerializer,
                   responses={200: ChangeRequestOutput, 409: CONFLICT, **ERRORS})
    def post(self, request: Request, pk: int) -> Response:
        change = get_object_or_404(selectors.requests_visible_to(request.user), pk=pk)
        if not selectors.may_approve(request.user, change):
            raise PermissionDenied("只有街道网格中心可以审批")
        data = validated(self.InputSerializer, request.data)
        change = services.decide(user=request.user, request=change, approve=data["approve"], note=data["note"])
        return Response(_summary(change))


def _collection(grids) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": g.code, "geometry": json.loads(g.geom.geojson),
         "properties": {"code": g.code, "name": g.name, "grid_id": g.pk}} for g in grids]}
