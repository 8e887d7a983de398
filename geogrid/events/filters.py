"""Filters of ticket lists, declared with django-filter.

`Open311RequestFilter` is GeoReport v2's GET requests.json: the parameters' meaning lives here, their wire
shape (strings only, lengths, no undeclared key) in the view's QuerySerializer, which runs first.
"""
import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from geogrid.events.models import Event
from geogrid.events.workflow import OPEN

# Ids are 32-bit serials: a longer number can name no ticket (and would overflow the query's integer).
MAX_ID = 2**31


class CharInFilter(django_filters.BaseInFilter, django_filters.CharFilter):
    """A comma-separated list of strings, matched with `__in`."""


class Open311RequestFilter(django_filters.FilterSet):
    """GeoReport v2's list parameters. As the standard has them: ids and service codes comma-separated, status
    open or closed, start/end dates inclusive bounds on the report time (ISO 8601; without an offset, Beijing
    time). An id that is not a number names no ticket and is skipped, as is an unknown service code."""

    service_request_id = django_filters.CharFilter(method="filter_ids")
    service_code = CharInFilter(field_name="category__code")
    status = django_filters.ChoiceFilter(choices=[("open", "open"), ("closed", "closed")], method="filter_status",
                                         error_messages={"invalid_choice": gettext_lazy("status must be open or closed.")})
    start_date = django_filters.IsoDateTimeFilter(field_name="reported_at", lookup_expr="gte")
    end_date = django_filters.IsoDateTimeFilter(field_name="reported_at", lookup_expr="lte")

    class Meta:
        model = Event
        fields: list[str] = []

    def filter_ids(self, queryset: QuerySet[Event], name: str, value: str) -> QuerySet[Event]:
        ids = [int(i) for i in value.split(",") if i.strip().isdigit() and int(i) < MAX_ID]
        return queryset.filter(pk__in=ids)

    def filter_status(self, queryset: QuerySet[Event], name: str, value: str) -> QuerySet[Event]:
        # A merged ticket is closed for the standard whatever its own status: it lives on in the one it joined.
        if value == "open":
            return queryset.filter(status__in=OPEN, merged_into__isnull=True)
        return queryset.exclude(status__in=OPEN, merged_into__isnull=True)

