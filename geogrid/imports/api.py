"""GET /api/v1/imports/<id>: the state of one import, polled by its page for the progress bar."""
from django.shortcuts import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from geogrid.imports.selectors import jobs_visible_to


class ImportJobView(APIView):
    def get(self, request: Request, pk: int) -> Response:
        job = get_object_or_404(jobs_visible_to(request.user), pk=pk)
        return Response({"id": job.pk, "status": job.status, "status_label": job.get_status_display(),
                         "progress": job.progress, "file_name": job.file_name, "target": job.target,
                         "source_crs": job.source_crs, "counts": job.counts, "report": job.report,
                         "finished": job.finished_at is not None})
