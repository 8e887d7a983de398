"""/api/v1/imports/: one import's state, polled by its page for the progress bar, and its undo.

    GET  imports/<id>        the job: status, progress, mode, counts and report (errors, warnings, repairs, notes);
                             `change_request`: the change request a community's grid replace submitted (status
                             `submitted`; GET /api/v1/adjustments/requests/<id>)
    POST imports/<id>/undo   {} -> the undone job; 409 `undo_blocked` (with `blockers`: what depends on it) or
                             `not_undoable` (not a succeeded import)

Only the job's owner reaches a job (superusers every job): anyone else gets 404.
"""
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from geogrid.core.api import ErrorSerializer, Input, validated
from geogrid.imports.models import ImportJob
from geogrid.imports.selectors import jobs_visible_to
from geogrid.imports.services import undo_import

ERRORS = {403: ErrorSerializer, 404: ErrorSerializer}


class ImportJobOutput(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display")
    mode_label = serializers.CharField(source="get_mode_display")
    finished = serializers.SerializerMethodField()
    undoable = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = ["id", "status", "status_label", "progress", "file_name", "target", "mode", "mode_label",
                  "source_crs", "counts", "report", "finished", "undoable", "undone_at", "change_request"]

    def get_finished(self, job: ImportJob) -> bool:
        return job.finished_at is not None

    def get_undoable(self, job: ImportJob) -> bool:
        """A succeeded import may be undone (the undo still refuses while something later depends on it)."""
        return job.status == ImportJob.Status.SUCCEEDED


class ImportJobView(APIView):
    @extend_schema(operation_id="import_job", responses={200: ImportJobOutput, **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        return Response(ImportJobOutput(get_object_or_404(jobs_visible_to(request.user), pk=pk)).data)


class ImportUndoView(APIView):
    @extend_schema_serializer(component_name="ImportUndoInput")
    class InputSerializer(Input):
        """Nothing: the job is in the URL, the user is the caller."""

    @extend_schema(operation_id="import_undo", request=InputSerializer, responses={
        200: ImportJobOutput, 400: ErrorSerializer, **ERRORS,
        409: OpenApiResponse(ErrorSerializer, description="`undo_blocked`（`blockers` 列出依赖它的后来的导入或调整）"
                                                          "或 `not_undoable`（不是已成功写入的导入）")})
    def post(self, request: Request, pk: int) -> Response:
        job = get_object_or_404(jobs_visible_to(request.user), pk=pk)
        if not request.user.has_perm("imports.add_importjob"):
            raise PermissionDenied("没有数据导入权限，不能撤销导入")
        validated(self.InputSerializer, request.data)
        return Response(ImportJobOutput(undo_import(job=job, user=request.user)).data)
