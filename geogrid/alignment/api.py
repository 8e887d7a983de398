"""/api/v1/alignment/<department>: the alignment report (JSON or ?format=geojson), the auto-align preview
(GET preview) and applying it (POST apply {decisions, accept_low_share})."""
from django.shortcuts import get_object_or_404
from rest_framework.exceptions import PermissionDenied
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from geogrid.accounts.selectors import departments_visible_to
from geogrid.alignment.selectors import alignment_report, followed_changes
from geogrid.alignment.services import AlignmentError, apply_alignment, preview_alignment
from geogrid.coverage.api import GeoJSONRenderer
from geogrid.departments.models import Department


def _department(request: Request, code: str) -> Department:
    return get_object_or_404(departments_visible_to(request.user), code=code)


class ReportView(APIView):
    renderer_classes = [JSONRenderer, GeoJSONRenderer]
    throttle_classes = [UserRateThrottle]

    def get(self, request: Request, code: str) -> Response:
        department = _department(request, code)
        report = alignment_report(department)
        body = report.as_geojson() if request.accepted_renderer.format == GeoJSONRenderer.format else report.as_json()
        return Response({**body, "followed_changes": followed_changes(department)})  # a GeoJSON foreign member


class PreviewView(APIView):
    throttle_classes = [UserRateThrottle]

    def get(self, request: Request, code: str) -> Response:
        return Response(preview_alignment(_department(request, code)).as_json())


class ApplyView(APIView):
    throttle_classes = [UserRateThrottle]

    def post(self, request: Request, code: str) -> Response:
        department = _department(request, code)
        if not request.user.has_perm("departments.change_businessgrid"):
            raise PermissionDenied("无权调整业务网格 / you may not change business grids")
        decisions = {str(k): (str(v) if v else None) for k, v in (request.data.get("decisions") or {}).items()}
        try:
            generation = apply_alignment(department, request.user, decisions,
                                         bool(request.data.get("accept_low_share")))
        except AlignmentError as error:
            return Response({"error": str(error)}, status=400)
        return Response({"generation": generation.pk, "report": alignment_report(department).summary()})
