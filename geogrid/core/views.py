"""Operational endpoints."""
from django.db import connection
from django.http import HttpRequest, JsonResponse


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database check for container healthchecks and load balancers (public, no data)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT postgis_lib_version()")
        postgis = cursor.fetchone()[0]
    return JsonResponse({"status": "ok", "postgis": postgis})
