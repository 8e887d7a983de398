"""Open311 GeoReport v2 under /open311/v2/ (JSON only), so existing 311 clients and hotline systems talk to us.

- GET services.json: the active leaf categories (service_code = category code, group = its top class).
- POST requests.json: report (public, rate-limited per address; photos size- and type-checked). Extensions:
  `coordinate_system` (wgs84 as the standard says by default; cgcs2000, gcj02, bd09) and `client_id` (or an
  `Idempotency-Key` header): a retry with the same id returns the first ticket instead of making another.
- GET requests.json (filters service_request_id, service_code, status, start_date, end_date) and
  GET requests/{id}.json: signed-in users, scoped (a department sees its own tickets). Reporter names and
  phones are masked for everyone but the centre. Our fields beyond the standard are under "geogrid".
"""
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from geogrid.core.crs import CoordinateError, parse_point
from geogrid.core.masking import mask_name, mask_phone
from geogrid.events.models import Event, EventCategory
from geogrid.events.selectors import can_see_reporter, events_visible_to
from geogrid.events.services import NewReport, ReportError, check_photos, report
from geogrid.events.workflow import OPEN


class ReportThrottle(AnonRateThrottle):
    """Anonymous reports per client address (settings: REST_FRAMEWORK rate "report")."""

    scope = "report"


def _error(code: int, description: str) -> Response:
    return Response([{"code": code, "description": description}], status=code)


def as_open311(event: Event, user) -> dict:
    """A ticket in GeoReport v2 fields, our own under "geogrid"."""
    photo = next(iter(event.photos.all()), None)  # the prefetched photos of a list: no query per ticket
    show = can_see_reporter(user, event)
    return {
        "service_request_id": str(event.pk),
        "status": "open" if event.is_open else "closed",
        "status_notes": event.get_status_display(),
        "service_name": event.category.name,
        "service_code": event.category.code,
        "description": event.description,
        "agency_responsible": event.department.name if event.department else "",
        "service_notice": event.routing_note,
        "requested_datetime": event.reported_at.isoformat(),
        "updated_datetime": event.updated_at.isoformat(),
        "expected_datetime": event.due_at.isoformat() if event.due_at else None,
        "address": event.address,
        "lat": event.location.y if event.location else None,
        "long": event.location.x if event.location else None,
        "media_url": reverse("event-photo", args=[event.pk, photo.pk]) if photo else None,  # served scoped
        "geogrid": {
            "state": event.status, "level": event.level, "source": event.source,
            "grid": event.grid.code if event.grid else None,
            "community": event.community.name if event.community else None,
            "department_code": event.department.code if event.department else None,
            "overdue": bool(event.is_open and event.due_at and event.due_at < timezone.now()),
            "due_estimated": event.due_estimated,
            "merged_into": event.merged_into_id,
            "reporter_name": event.reporter_name if show else mask_name(event.reporter_name),
            "reporter_phone": event.reporter_phone if show else mask_phone(event.reporter_phone),
        },
    }


class ServicesView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle, UserRateThrottle]

    def get(self, request: Request) -> Response:
        leaves = EventCategory.objects.filter(active=True, children__isnull=True).select_related("parent")
        return Response([{
            "service_code": c.code, "service_name": c.name, "description": c.name, "metadata": False,
            "type": "realtime", "keywords": "", "group": c.parent.name if c.parent else "",
        } for c in leaves])


class RequestsView(APIView):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    def get_throttles(self):
        return [ReportThrottle(), UserRateThrottle()] if self.request.method == "POST" else [UserRateThrottle()]

    def post(self, request: Request) -> Response:
        data = request.data
        category = EventCategory.objects.filter(code=data.get("service_code") or "", active=True).first()
        if category is None:
            return _error(400, "service_code 无效 / unknown service_code")
        description = (data.get("description") or "").strip()
        if not description or len(description) > 2000:
            return _error(400, "description 必填且不超过 2000 字 / description is required, at most 2000 characters")
        point = None
        if data.get("lat") not in (None, "") or data.get("long") not in (None, ""):
            try:
                point = parse_point(data.get("long"), data.get("lat"), data.get("coordinate_system") or "wgs84")
            except CoordinateError as error:
                return _error(400, str(error))
        elif not (data.get("address_string") or "").strip():
            return _error(400, "须提供 lat/long 或 address_string / lat and long, or address_string, are required")
        photos = request.FILES.getlist("media")
        try:
            check_photos(photos)
        except ReportError as error:
            return _error(400, str(error))
        source = Event.Source.GRID_WORKER if request.user.is_authenticated else Event.Source.PUBLIC
        name = " ".join(filter(None, [data.get("last_name"), data.get("first_name")]))
        event, created = report(NewReport(
            category=category, description=description, point=point,
            address=(data.get("address_string") or "")[:300], source=source,
            client_id=(data.get("client_id") or request.headers.get("Idempotency-Key") or "")[:64] or None,
            reporter_name=name[:50], reporter_phone=(data.get("phone") or "")[:20], photos=photos,
        ), user=request.user if request.user.is_authenticated else None)
        return Response([{"service_request_id": str(event.pk), "service_notice": event.routing_note,
                          "account_id": None}], status=201 if created else 200)

    def get(self, request: Request) -> Response:
        events = events_visible_to(request.user).prefetch_related("photos")
        params = request.query_params
        if params.get("service_request_id"):
            ids = [i for i in params["service_request_id"].split(",") if i.strip().isdigit()]
            events = events.filter(pk__in=ids)
        if params.get("service_code"):
            events = events.filter(category__code__in=params["service_code"].split(","))
        if params.get("status") == "open":
            events = events.filter(status__in=OPEN, merged_into__isnull=True)
        elif params.get("status") == "closed":
            events = events.exclude(status__in=OPEN, merged_into__isnull=True)
        for param, lookup in (("start_date", "reported_at__gte"), ("end_date", "reported_at__lte")):
            if params.get(param):
                moment = parse_datetime(params[param])
                if moment is None:
                    return _error(400, f"{param} 须为 ISO 8601 时间 / {param} must be ISO 8601")
                events = events.filter(**{lookup: moment})
        return Response([as_open311(e, request.user) for e in events[:1000]])  # the standard's default cap


class RequestView(APIView):
    def get(self, request: Request, pk: int) -> Response:
        event = events_visible_to(request.user).filter(pk=pk).first()
        if event is None:
            return _error(404, "没有此工单 / no such request")
        return Response([as_open311(event, request.user)])
