"""GET /api/v1/imports/<id>: the state of one import, polled by its page for the progress bar."""
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from geogrid.core.api import ErrorSerializer
from geogrid.imports.models import ImportJob
from geogrid.imports.selectors import jobs_visible_to


class ImportJobOutput(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display")
    finished = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = ["id", "status", "status_label", "progress", "file_name", "target", "mode", "source_crs", "counts",
                  "report", "finished"]

    def get_finished(self, job: ImportJob) -> bool:
        return job.finished_at is not None


class ImportJobView(APIView):
    @extend_schema(operation_id="import_job", responses={200: ImportJobOutput, 403: ErrorSerializer,
                                                         404: ErrorSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(ImportJobOutput(get_object_or_404(jobs_visible_to(request.user), pk=pk)).data)
