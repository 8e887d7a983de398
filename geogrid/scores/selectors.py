"""Reads of the grid worker's monthly score sheet (网格员月考核): the items computed from tickets and the
centre's marks, per worker and month, for the workers inside a user's area.

Information reporting (信息采集, the one computed item): a *valid ticket* is one the worker reported in the
month (by `reported_at`, Asia/Shanghai) that the centre accepted or that the worker settled on the spot, i.e.
not still waiting for review, not returned and not merged into another. Ticket points = valid tickets x the
sheet's points per ticket (default 5, so 30 valid tickets reach the 150 floor). The item scores its maximum
(40), plus the band the ticket points fall in (below 150: -10 and the month's performance pay forfeited;
above 170/200/250: +2/+3/+5, the highest band only), minus the quality deduction (5) when valid /
(valid + returned) is under the floor (80 %), plus the centre's marks on the item. A bonus may take it over
its maximum, as the seed's 加分 does. Manual items score their maximum plus their marks, within 0..maximum.
The sheet fails under the pass mark (60) or on any veto mark (一票否决).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Q

from geogrid.accounts.selectors import area_code_prefix, scope_of
from geogrid.areas.models import Area
from geogrid.events.models import Event
from geogrid.events.selectors import events_visible_to
from geogrid.scores.models import ScoreItem, ScoreMark, ScoreSheet, TicketBand
from geogrid.scores.rates import local_midnight, add_months
from geogrid.staff.models import StaffMember

S = Event.Status
GRID_WORKER_ROLES = (StaffMember.Role.LEADER, StaffMember.Role.FULL_TIME, StaffMember.Role.PART_TIME)


@dataclass
class ItemScore:
    item: ScoreItem
    points: Decimal
    marks: list[ScoreMark] = field(default_factory=list)
    detail: str = ""


@dataclass
class WorkerSheet:
    """One worker's month on one sheet."""

    worker: User
    month: date
    sheet: ScoreSheet
    valid_tickets: int = 0
    returned_tickets: int = 0
    ticket_points: Decimal = Decimal(0)
    items: list[ItemScore] = field(default_factory=list)
    disqualified: bool = False
    veto: bool = False

    @property
    def name(self) -> str:
        return self.worker.get_full_name() or self.worker.username

    @property
    def quality(self) -> float | None:
        """工单合格率: valid / (valid + returned); None without tickets."""
        reviewed = self.valid_tickets + self.returned_tickets
        return round(self.valid_tickets / reviewed, 4) if reviewed else None

    @property
    def total(self) -> Decimal:
        return sum((item.points for item in self.items), Decimal(0))

    @property
    def passed(self) -> bool:
        return not self.veto and self.total >= self.sheet.pass_mark

    @property
    def verdict(self) -> str:
        if self.veto:
            return "不合格（一票否决）"
        if not self.passed:
            return "不合格"
        return "合格（取消当月绩效资格）" if self.disqualified else "合格"


def sheet_for(area_code: str | None, sheets: list[ScoreSheet]) -> ScoreSheet:
    """The sheet of the smallest area containing the area with this code (codes nest by prefix), else the
    default (no area). `sheets` with their areas selected."""
    local = [s for s in sheets if s.area_id is not None and area_code
             and area_code.startswith(Area.code_prefix(s.area.code))]
    if local:
        return max(local, key=lambda s: len(Area.code_prefix(s.area.code)))
    return next(s for s in sheets if s.area_id is None)


def band_adjustment(points: Decimal, bands: list[TicketBand]) -> tuple[Decimal, bool, str]:
    """(adjustment, disqualified, description) for ticket points: the lowest 'below' band they fall under
    and the highest 'above' band they exceed."""
    below = [b for b in bands if b.direction == TicketBand.Direction.BELOW and points < b.threshold]
    above = [b for b in bands if b.direction == TicketBand.Direction.ABOVE and points > b.threshold]
    chosen = [b for b in (min(below, key=lambda b: b.threshold, default=None),
                          max(above, key=lambda b: b.threshold, default=None)) if b is not None]
    adjustment = sum((b.adjustment for b in chosen), Decimal(0))
    return adjustment, any(b.disqualifies for b in chosen), "、".join(str(b) for b in chosen)


def score_sheet(worker: User, month: date, sheet: ScoreSheet, valid: int, returned: int,
                marks: list[ScoreMark]) -> WorkerSheet:
    """Compute one worker's sheet from the ticket counts and the marks (of this sheet's items) of the month."""
    result = WorkerSheet(worker=worker, month=month, sheet=sheet, valid_tickets=valid, returned_tickets=returned,
                         ticket_points=valid * sheet.points_per_ticket)
    result.veto = any(mark.veto for mark in marks)
    for item in sheet.items.all():
        own = [mark for mark in marks if mark.item_id == item.pk]
        marked = sum((mark.points for mark in own), Decimal(0))
        if item.source == ScoreItem.Source.TICKETS:
            adjustment, result.disqualified, bands = band_adjustment(result.ticket_points, list(sheet.bands.all()))
            detail = [f"工单得分 {result.ticket_points}（有效 {valid} 件）"] + ([f"{bands}"] if bands else [])
            quality = result.quality
            if quality is not None and quality * 100 < sheet.quality_floor:
                adjustment -= sheet.quality_deduction
                detail.append(f"合格率 {quality:.0%} 低于 {sheet.quality_floor}% {-sheet.quality_deduction}")
            points = max(Decimal(0), item.max_points + adjustment + marked)
            result.items.append(ItemScore(item, points, own, "；".join(detail)))
        else:
            points = min(item.max_points, max(Decimal(0), item.max_points + marked))
            result.items.append(ItemScore(item, points, own, "；".join(f"{m.reason} {m.points:+}" for m in own)))
    return result


def worker_sheets(user: User | AnonymousUser, month: date) -> list[WorkerSheet]:
    """The month's sheets of the grid workers in the user's area: those serving its grids, those who reported
    tickets there and those given marks. Department users get none: the centre scores grid workers."""
    prefix = area_code_prefix(user)
    scope = scope_of(user)
    if prefix is None or (prefix != "" and scope is not None and scope.area_id is None):
        return []
    month = month.replace(day=1)
    start, end = local_midnight(month), local_midnight(add_months(month, 1))
    counts = {row["reported_by"]: row for row in events_visible_to(user).order_by()
              .filter(reported_by__isnull=False, reported_at__gte=start, reported_at__lt=end, merged_into__isnull=True)
              .values("reported_by")
              .annotate(valid=Count("pk", filter=~Q(status__in=(S.REPORTED, S.RETURNED))),
                        returned=Count("pk", filter=Q(status=S.RETURNED)))}
    staff = StaffMember.objects.filter(user__isnull=False, role__in=GRID_WORKER_ROLES,
                                       grids__community__code__startswith=prefix).values("user")
    marks_by_worker: dict[int, list[ScoreMark]] = {}
    for mark in ScoreMark.objects.filter(month=month, worker__scope__area__code__startswith=prefix).select_related("item"):
        marks_by_worker.setdefault(mark.worker_id, []).append(mark)
    workers = (User.objects.filter(Q(pk__in=counts.keys()) | Q(pk__in=staff) | Q(pk__in=marks_by_worker.keys()))
               .select_related("scope__area").order_by("username"))
    sheets = list(ScoreSheet.objects.select_related("area").prefetch_related("items", "bands"))
    result = []
    for worker in workers:
        worker_scope = scope_of(worker)
        sheet = sheet_for(worker_scope.area.code if worker_scope and worker_scope.area_id else None, sheets)
        row = counts.get(worker.pk, {"valid": 0, "returned": 0})
        marks = [m for m in marks_by_worker.get(worker.pk, []) if m.item.sheet_id == sheet.pk]
        result.append(score_sheet(worker, month, sheet, row["valid"], row["returned"], marks))
    return result
