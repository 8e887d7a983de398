"""Request guards that run before any view: a body larger than the site takes is refused from its
Content-Length header, before Django or DRF reads or parses a byte of it."""
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from geogrid.core.api import json_error

API_PREFIXES = ("/api/", "/open311/")


def body_limit(request: HttpRequest) -> int:
    """Bytes a request may send: file uploads (multipart) up to settings.GEOGRID_MAX_REQUEST_BODY, any other
    body (JSON, form fields) up to DATA_UPLOAD_MAX_MEMORY_SIZE. Django checks the latter only when a view reads
    request.body or request.POST; DRF's parsers read the stream and never do."""
    if request.content_type == "multipart/form-data" or settings.DATA_UPLOAD_MAX_MEMORY_SIZE is None:
        return settings.GEOGRID_MAX_REQUEST_BODY
    return min(settings.GEOGRID_MAX_REQUEST_BODY, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)


class BodySizeLimitMiddleware:
    """413 for a declared body over its limit (body_limit): the API's error shape
    ({code: "body_too_large", message, field: null}) on API paths, plain text elsewhere."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django treats an unreadable length as no body
        limit = body_limit(request)
        if length > limit:
            message = f"请求内容过大（{length} 字节），上限 {limit / (1024 * 1024):.1f} MB"
            if request.path_info.startswith(API_PREFIXES):
                return json_error("body_too_large", message, status=413)
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
