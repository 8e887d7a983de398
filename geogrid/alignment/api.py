"""/api/v1/alignment/<department>: the alignment report (JSON or ?format=geojson), the auto-align preview
(GET preview, or POST preview {decisions} to see the decisions applied) and applying it (POST apply
{decisions, accept_low_share}). `decisions` is an object: base grid code -> business grid code, or null to
leave that base grid out. Errors in the shared shape {code, message, field}."""
from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from geogrid.accounts.selectors import departments_visible_to
from geogrid.alignment.selectors import alignment_report, followed_changes
from geogrid.alignment.services import apply_alignment, preview_alignment
from geogrid.core.api import ErrorSerializer, Input, StrictBooleanField, StrictCharField, validated
from geogrid.coverage.api import FORMATS, GeoJSONRenderer
from geogrid.departments.models import Department

ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


def _department(request: Request, code: str) -> Department:
    return get_object_or_404(departments_visible_to(request.user), code=code)


class DecisionsSerializer(Input):
    decisions = serializers.DictField(
        child=StrictCharField(allow_null=True, allow_blank=True, max_length=50), required=False, default=dict,
        help_text="基础网格编码 -> 业务网格编码（null 表示不归入任何业务网格）")

    def validate_decisions(self, value: dict[str, str | None]) -> dict[str, str | None]:
        return {base: business or None for base, business in value.items()}


class ReportView(APIView):
    renderer_classes = [JSONRenderer, GeoJSONRenderer]
    throttle_classes = [UserRateThrottle]

    class QuerySerializer(Input):
        format = serializers.ChoiceField(FORMATS, required=False)

    @extend_schema_serializer(component_name="AlignmentReportOutput")
    class OutputSerializer(serializers.Serializer):
        department = serializers.DictField(required=False)
        summary = serializers.DictField(child=serializers.IntegerField(), required=False)
        thresholds = serializers.DictField(child=serializers.FloatField(), required=False)
        grids = serializers.ListField(child=serializers.DictField(), required=False,
                                      help_text="per business grid: shares, IoU, Hausdorff (null when it matches "
                                                "no base grid), verdict and reason")
        problems = serializers.ListField(child=serializers.DictField(), required=False)
        type = serializers.CharField(required=False, help_text="FeatureCollection with ?format=geojson")
        features = serializers.ListField(child=serializers.DictField(), required=False)
        followed_changes = serializers.ListField(child=serializers.DictField())

    @extend_schema(operation_id="alignment_report", parameters=[QuerySerializer],
                   responses={200: OutputSerializer, **ERRORS})
    def get(self, request: Request, code: str) -> Response:
        validated(self.QuerySerializer, request.query_params)
        department = _department(request, code)
        report = alignment_report(department)
        body = report.as_geojson() if request.accepted_renderer.format == GeoJSONRenderer.format else report.as_json()
        return Response({**body, "followed_changes": followed_changes(department)})  # a GeoJSON foreign member


class PreviewOutput(serializers.Serializer):
    department = serializers.CharField()
    assignment = serializers.DictField(child=serializers.CharField(), help_text="base code -> business code")
    changes = serializers.ListField(child=serializers.DictField())
    moves = serializers.ListField(child=serializers.DictField())
    undecided = serializers.ListField(child=serializers.DictField())
    unassigned = serializers.ListField(child=serializers.CharField())


class PreviewView(APIView):
    throttle_classes = [UserRateThrottle]

    @extend_schema(operation_id="alignment_preview", responses={200: PreviewOutput, **ERRORS})
    def get(self, request: Request, code: str) -> Response:
        return Response(PreviewOutput(preview_alignment(department=_department(request, code)).as_json()).data)

    @extend_schema(operation_id="alignment_preview_with_decisions", request=DecisionsSerializer,
                   responses={200: PreviewOutput, **ERRORS})
    def post(self, request: Request, code: str) -> Response:
        department = _department(request, code)
        data = validated(DecisionsSerializer, request.data)
        return Response(PreviewOutput(preview_alignment(department=department,
                                                        decisions=data["decisions"]).as_json()).data)


class ApplyView(APIView):
    throttle_classes = [UserRateThrottle]

    @extend_schema_serializer(component_name="AlignmentApplyInput")
    class InputSerializer(DecisionsSerializer):
        accept_low_share = StrictBooleanField(required=False, default=False)

    @extend_schema_serializer(component_name="AlignmentApplyOutput")
    class OutputSerializer(serializers.Serializer):
        generation = serializers.IntegerField(allow_null=True, help_text="null: already aligned, nothing written")
        report = serializers.DictField(child=serializers.IntegerField(), help_text="the report's summary after")

    @extend_schema(operation_id="alignment_apply", request=InputSerializer, responses={200: OutputSerializer, **ERRORS})
    def post(self, request: Request, code: str) -> Response:
        department = _department(request, code)
        if not request.user.has_perm("departments.change_businessgrid"):
            raise PermissionDenied("无权调整业务网格")
        data: dict[str, Any] = validated(self.InputSerializer, request.data)
        generation = apply_alignment(department=department, user=request.user, decisions=data["decisions"],
                                     accept_low_share=data["accept_low_share"])
        return Response(self.OutputSerializer({"generation": generation and generation.pk,
                                               "report": alignment_report(department).summary()}).data)
