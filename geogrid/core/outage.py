"""While PostgreSQL is unreachable, every request that needs it answers 503 with Retry-After instead of a 500
page: the API's error shape ({code: "database_unavailable", message, field: null}) on API paths and /healthz,
a short Chinese page elsewhere. Django wraps the driver's errors in `OperationalError` (server gone, connection
refused, restart in progress) and `InterfaceError` (a connection already closed). A view's error reaches
`process_exception` (DRF re-raises what its exception handler does not know, `geogrid.core.api` knows neither).
Middleware reaches the database too (pghistory's and axes' read the session user before any view): Django turns
their errors into a 500 response on the spot, so a receiver of `got_request_exception` marks the request and
this middleware, the outermost, answers 503 instead.
The connection that failed is dropped at the end of the request (Django's `close_if_unusable_or_obsolete`), and
`CONN_HEALTH_CHECKS` replaces a broken persistent one before the next request uses it."""
import logging
import sys
from collections.abc import Callable

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse

from geogrid.core.api import json_error
from geogrid.core.middleware import API_PREFIXES

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 10
MESSAGE = "数据库暂时不可用，请稍后重试"
JSON_PATHS = (*API_PREFIXES, "/healthz")
PAGE = f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>服务暂时不可用</title></head>
<body><h1>服务暂时不可用</h1><p>{MESSAGE}（约 {RETRY_AFTER_SECONDS} 秒后）。</p></body></html>
"""


DATABASE_ERRORS = (OperationalError, InterfaceError)


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """The 503 answer for `request`."""
    if request.path_info.startswith(JSON_PATHS):
        response: HttpResponse = json_error("database_unavailable", MESSAGE, status=503)
    else:
        response = HttpResponse(PAGE, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseOutageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, "database_error", None) is not None:
            return database_unavailable(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        logger.error("database unavailable: %s %s", request.method, request.path, exc_info=exception)
        return database_unavailable(request)


def note_database_error(sender: object, request: HttpRequest | None = None, **kwargs: object) -> None:
    """Sent while Django handles an exception outside the view (the one being handled is sys.exc_info())."""
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, DATABASE_ERRORS):
        request.database_error = error


got_request_exception.connect(note_database_error, dispatch_uid="geogrid.core.outage")
