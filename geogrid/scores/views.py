"""考核统计 dashboard: the ticket rates of the user's scope (this month and the months before) as charts and
tables, the grid workers' score sheets, a map of open and overdue tickets, and the XLSX export of the tables.
Everything is scoped by `events_visible_to` (rates) and the user's area (score sheets)."""
from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from geogrid.events.selectors import events_visible_to
from geogrid.events.workflow import OPEN
from geogrid.scores.workbook import write_dashboard
from geogrid.scores.rates import DIMENSIONS, RATES, last_months, ticket_rates
from geogrid.scores.selectors import worker_sheets

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_MONTHS = 24


def _month_and_span(request: HttpRequest) -> tuple[date, list[date]]:
    """The month asked for (?month=YYYY-MM, this month by default; never a future one) and the months of the
    charts ending with it (?months=N, 6 by default)."""
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in request.GET.get("month", "").split("-"))
        chosen = min(date(year, month, 1), today.replace(day=1))
    except ValueError:
        chosen = today.replace(day=1)
    try:
        span = max(1, min(MAX_MONTHS, int(request.GET.get("months", 6))))
    except ValueError:
        span = 6
    return chosen, last_months(span, chosen)


def _open_tickets(request: HttpRequest) -> list[list]:
    """[lon, lat, id, status label, category, overdue] of the open tickets the user may see, for the map."""
    now = timezone.now()
    tickets = (events_visible_to(request.user).filter(status__in=OPEN, merged_into__isnull=True,
                                                       location__isnull=False)
               .select_related(None).select_related("category").order_by("pk")
               .only("pk", "location", "status", "due_at", "category__name"))
    return [[round(t.location.x, 6), round(t.location.y, 6), t.pk, t.get_status_display(), t.category.name,
             t.due_at is not None and t.due_at < now] for t in tickets]


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    month, months = _month_and_span(request)
    report = ticket_rates(request.user, months)
    rate_labels = [(name, label) for name, label, *_ in RATES]
    chart = {
        "months": [f"{m:%Y-%m}" for m in months],
        "rates": {label: [report.total[m].rate(name) for m in months] for name, label in rate_labels},
        "volume": {label: [getattr(report.total[m], attr) for m in months]
                   for label, attr in (("派遣", "dispatched"), ("应办结", "due"), ("办结", "closed"))},
    }
    tables = [(label, [(name, [counts.rate(rate) for rate, _ in rate_labels], counts)
                       for name, counts in report.rows(dimension, month)])
              for dimension, label in DIMENSIONS.items()]
    sheets = worker_sheets(request.user, month)
    this = report.total[month]
    return render(request, "scores/dashboard.html", {
        "month": month, "span": len(months), "rate_labels": [label for _, label in rate_labels],
        "kpis": [(label, this.rate(name)) for name, label in rate_labels], "tables": tables, "sheets": sheets,
        "item_names": [item.item.name for item in sheets[0].items] if sheets else [],
        "chart": chart, "tickets": _open_tickets(request),
        "month_choices": [f"{m:%Y-%m}" for m in last_months(MAX_MONTHS)][::-1],
    })


@login_required
def dashboard_export(request: HttpRequest) -> HttpResponse:
    month, months = _month_and_span(request)
    content = write_dashboard(ticket_rates(request.user, months), month, worker_sheets(request.user, month))
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="geogrid-scores-{month:%Y-%m}.xlsx"'
    return response
