"""Request guards that run before any view: a body larger than the site takes is refused from its
Content-Length header, before Django reads or parses a byte of it."""
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

API_PREFIXES = ("/api/", "/open311/")


class BodySizeLimitMiddleware:
    """413 for a declared body over settings.GEOGRID_MAX_REQUEST_BODY: the API's error shape
    ({code: "body_too_large", message, field: null}) on API paths, plain text elsewhere. Bodies of form fields
    without files stay bounded by DATA_UPLOAD_MAX_MEMORY_SIZE (Django's own check, when a view reads them)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.GEOGRID_MAX_REQUEST_BODY
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django treats an unreadable length as no body
        if length > limit:
            message = f"请求内容过大（{length} 字节），上限 {limit // (1024 * 1024)} MB"
            if request.path_info.startswith(API_PREFIXES):
                return JsonResponse({"code": "body_too_large", "message": message, "field": None}, status=413)
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
