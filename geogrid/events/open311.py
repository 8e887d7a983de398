"""Open311 GeoReport v2 under /open311/v2/ (JSON only), so existing 311 clients and hotline systems talk to us.

- GET services.json: the active leaf categories (service_code = category code, group = its top class).
- POST requests.json: report (public, rate-limited per address; photos size-checked and decoded by Pillow). Extensions:
  `coordinate_system` (wgs84 as the standard says by default; cgcs2000, gcj02, bd09) and `client_id` (or an
  `Idempotency-Key` header): a retry with the same id returns the first ticket instead of making another.
- GET requests.json (filters service_request_id, service_code, status, start_date, end_date: a django-filter
  FilterSet, `geogrid.events.filters`) and
  GET requests/{id}.json: signed-in users, scoped (a department sees its own tickets). Reporter names and
  phones are masked for everyone but the centre. Our fields beyond the standard are under "geogrid".

Every input goes through a declared serializer (an undeclared key is refused); errors keep GeoReport v2's
list shape and add ours: `[{"code": <HTTP status>, "description": "<中文说明>", "error": "<stable_code>",
"field": "<input field or null>"}]`.
"""
from typing import Any

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from geogrid.core.api import DomainError, FiniteFloatField, Input, StrictCharField, filtered, validated
from geogrid.core.crs import CoordinateError, ParsedPoint, parse_crs, parse_point
from geogrid.core.masking import mask_name, mask_phone
from geogrid.events.filters import Open311RequestFilter
from geogrid.events.models import Event, EventCategory
from geogrid.events.selectors import can_see_reporter, events_visible_to
from geogrid.events.services import NewReport, check_photos, report
from geogrid.events.throttling import CountedRateThrottle


class ReportThrottle(CountedRateThrottle):
    """Anonymous reports per client address (settings: REST_FRAMEWORK rate "report"), counted atomically."""

    scope = "report"

    def allow_request(self, request: Request, view: APIView) -> bool:
        return request.user.is_authenticated or super().allow_request(request, view)


@extend_schema_serializer(component_name="Open311Error")
class Open311ErrorSerializer(serializers.Serializer):
    code = serializers.IntegerField(help_text="HTTP status (GeoReport v2)")
    description = serializers.CharField(help_text="说明（中文）")
    error = serializers.CharField(help_text="stable error code, e.g. unknown_service_code, not_a_string")
    field = serializers.CharField(allow_null=True, help_text="the input field at fault, if any")


ERRORS = {status: OpenApiResponse(Open311ErrorSerializer(many=True)) for status in (400, 401, 403, 404, 429)}


class Open311View(APIView):
    """Answers errors in GeoReport v2's list shape, with our stable code and field."""

    def handle_exception(self, exc: Exception) -> Response:
        response = super().handle_exception(exc)  # the shared handler: {code, message, field}
        if isinstance(response.data, dict) and "code" in response.data:
            response.data = [{"code": response.status_code, "description": response.data["message"],
                              "error": response.data["code"], "field": response.data.get("field")}]
        return response


# Choice sets as plain strings in the schema: several components have a "status" of their own.
STATUS_HELP = "、".join(f"{value}（{label}）" for value, label in Event.Status.choices)


def located(lon: float | None, lat: float | None, crs: str, *, crs_field: str) -> ParsedPoint:
    """The point, or a DomainError `invalid_coordinates` naming the field at fault (the system, or lat/long)."""
    try:
        parse_crs(crs)
    except CoordinateError as error:
        raise DomainError(str(error), code="invalid_coordinates", field=crs_field) from error
    if lon is None or lat is None:
        raise DomainError("lat 与 long 须同时提供", code="required", field="long" if lon is None else "lat")
    try:
        return parse_point(lon, lat, crs)
    except CoordinateError as error:
        raise DomainError(str(error), code="invalid_coordinates", field="lat") from error


class Open311GeogridOutput(serializers.Serializer):
    state = serializers.CharField(help_text=STATUS_HELP)
    level = serializers.IntegerField()
    source = serializers.CharField(help_text="、".join(f"{v}（{label}）" for v, label in Event.Source.choices))
    grid = serializers.CharField(allow_null=True)
    community = serializers.CharField(allow_null=True)
    department_code = serializers.CharField(allow_null=True)
    overdue = serializers.BooleanField()
    due_estimated = serializers.BooleanField()
    merged_into = serializers.IntegerField(allow_null=True)
    reporter_name = serializers.CharField()
    reporter_phone = serializers.CharField()


class Open311RequestOutput(serializers.Serializer):
    """A ticket in GeoReport v2 fields, our own under "geogrid"."""

    service_request_id = serializers.CharField()
    status = serializers.CharField(help_text="open or closed")
    status_notes = serializers.CharField()
    service_name = serializers.CharField()
    service_code = serializers.CharField()
    description = serializers.CharField()
    agency_responsible = serializers.CharField()
    service_notice = serializers.CharField()
    requested_datetime = serializers.DateTimeField()
    updated_datetime = serializers.DateTimeField()
    expected_datetime = serializers.DateTimeField(allow_null=True)
    address = serializers.CharField()
    lat = serializers.FloatField(allow_null=True)
    long = serializers.FloatField(allow_null=True)
    media_url = serializers.CharField(allow_null=True)
    geogrid = Open311GeogridOutput()


def as_open311(event: Event, user) -> dict[str, Any]:
    """A ticket in GeoReport v2 fields, our own under "geogrid" (the data of Open311RequestOutput)."""
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
        "requested_datetime": event.reported_at,
        "updated_datetime": event.updated_at,
        "expected_datetime": event.due_at,
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


class ServicesView(Open311View):
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle, UserRateThrottle]

    @extend_schema_serializer(component_name="Open311Service")
    class OutputSerializer(serializers.Serializer):
        service_code = serializers.CharField()
        service_name = serializers.CharField()
        description = serializers.CharField()
        metadata = serializers.BooleanField()
        type = serializers.CharField()
        keywords = serializers.CharField()
        group = serializers.CharField()

    @extend_schema(operation_id="open311_services", responses={200: OutputSerializer(many=True), 429: ERRORS[429]})
    def get(self, request: Request) -> Response:
        leaves = EventCategory.objects.filter(active=True, children__isnull=True).select_related("parent")
        return Response(self.OutputSerializer([{
            "service_code": c.code, "service_name": c.name, "description": c.name, "metadata": False,
            "type": "realtime", "keywords": "", "group": c.parent.name if c.parent else "",
        } for c in leaves], many=True).data)


def _ignored(help_text: str) -> StrictCharField:
    return StrictCharField(required=False, allow_blank=True, max_length=200, write_only=True, help_text=help_text)


class RequestsView(Open311View):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema_serializer(component_name="Open311ReportInput")
    class InputSerializer(Input):
        """A report (GeoReport v2 POST requests). The standard's keys this server does not use are accepted
        and ignored; any other key is refused."""

        service_code = StrictCharField(max_length=10)
        description = StrictCharField(max_length=2000)
        lat = FiniteFloatField(required=False)
        long = FiniteFloatField(required=False)
        coordinate_system = StrictCharField(required=False, default="wgs84", max_length=20,
                                            help_text="wgs84 (default), cgcs2000, gcj02, bd09 or EPSG:nnnn")
        address_string = StrictCharField(required=False, allow_blank=True, default="", max_length=300)
        first_name = StrictCharField(required=False, allow_blank=True, default="", max_length=25)
        last_name = StrictCharField(required=False, allow_blank=True, default="", max_length=25)
        phone = StrictCharField(required=False, allow_blank=True, default="", max_length=20)
        client_id = StrictCharField(required=False, allow_blank=True, default="", max_length=64,
                                    help_text="a retry with the same id returns the first ticket")
        media = serializers.ListField(child=serializers.FileField(), required=False, default=list,
                                      help_text="photos: JPEG, PNG or WebP")
        jurisdiction_id = _ignored("ignored: one jurisdiction")
        api_key = _ignored("ignored: reports are public")
        email = _ignored("ignored")
        device_id = _ignored("ignored")
        account_id = _ignored("ignored")
        address_id = _ignored("ignored")

        def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
            category = EventCategory.objects.filter(code=attrs["service_code"], active=True).first()
            if category is None:
                raise DomainError("service_code 无效", code="unknown_service_code", field="service_code")
            attrs["category"] = category
            attrs["point"] = None
            if "lat" in attrs or "long" in attrs:
                attrs["point"] = located(attrs.get("long"), attrs.get("lat"), attrs["coordinate_system"],
                                         crs_field="coordinate_system")
            elif not attrs["address_string"].strip():
                raise DomainError("须提供 lat/long 或 address_string", code="location_required", field="lat")
            return attrs

    @extend_schema_serializer(component_name="Open311ReportOutput")
    class ReportOutputSerializer(serializers.Serializer):
        service_request_id = serializers.CharField()
        service_notice = serializers.CharField()
        account_id = serializers.CharField(allow_null=True)

    @extend_schema_serializer(component_name="Open311RequestsQuery")
    class QuerySerializer(Input):
        """The list's query as it is sent (the schema documents it); `Open311RequestFilter` applies it."""

        service_request_id = StrictCharField(required=False, max_length=2000, help_text="comma-separated ids")
        service_code = StrictCharField(required=False, max_length=2000, help_text="comma-separated codes")
        status = StrictCharField(required=False, help_text="open or closed")
        start_date = serializers.DateTimeField(required=False)
        end_date = serializers.DateTimeField(required=False)
        jurisdiction_id = _ignored("ignored: one jurisdiction")

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    def get_throttles(self):
        return [ReportThrottle(), UserRateThrottle()] if self.request.method == "POST" else [UserRateThrottle()]

    @extend_schema(operation_id="open311_report", request=InputSerializer,
                   responses={201: ReportOutputSerializer(many=True), 200: ReportOutputSerializer(many=True),
                              **{s: e for s, e in ERRORS.items() if s in (400, 429)}})
    def post(self, request: Request) -> Response:
        data = validated(self.InputSerializer, request.data)
        check_photos(data["media"])
        source = Event.Source.GRID_WORKER if request.user.is_authenticated else Event.Source.PUBLIC
        name = " ".join(filter(None, [data["last_name"], data["first_name"]]))
        client_id = data["client_id"] or request.headers.get("Idempotency-Key", "")[:64]
        event, created = report(new=NewReport(
            category=data["category"], description=data["description"], point=data["point"],
            address=data["address_string"], source=source, client_id=client_id or None,
            reporter_name=name, reporter_phone=data["phone"], photos=data["media"],
        ), user=request.user if request.user.is_authenticated else None)
        return Response(self.ReportOutputSerializer([{"service_request_id": str(event.pk),
                                                      "service_notice": event.routing_note, "account_id": None}],
                                                    many=True).data, status=201 if created else 200)

    @extend_schema(operation_id="open311_requests", parameters=[QuerySerializer],
                   responses={200: Open311RequestOutput(many=True),
                              **{s: e for s, e in ERRORS.items() if s in (400, 401, 403)}})
    def get(self, request: Request) -> Response:
        validated(self.QuerySerializer, request.query_params)  # the wire shape; the filters give the meaning
        events = filtered(Open311RequestFilter, request.query_params,
                          events_visible_to(request.user).prefetch_related("photos"))
        return Response(Open311RequestOutput([as_open311(e, request.user) for e in events[:1000]],  # the cap
                                             many=True).data)


class RequestView(Open311View):
    @extend_schema(operation_id="open311_request", responses={200: Open311RequestOutput(many=True),
                                                              **{s: e for s, e in ERRORS.items() if s != 429}})
    def get(self, request: Request, pk: int) -> Response:
        event = events_visible_to(request.user).filter(pk=pk).first()
        if event is None:
            raise DomainError("没有此工单", code="no_such_ticket", status=404)
        return Response(Open311RequestOutput([as_open311(event, request.user)], many=True).data)
