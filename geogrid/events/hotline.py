"""12345 hotline batches: CSV or XLSX exports of the hotline's tickets, which carry an address and no coordinates.

Columns (the header row names them; `mapping` / `--map 列名=源列名` reads one from a column named otherwise):

    工单编号  required  the hotline's own ticket id; the ticket's idempotency key is "12345:<工单编号>", so a batch
                        imported twice (or two batches sharing tickets) never files a ticket twice
    受理时间  required  when the hotline took the call: an Excel date-time, or text such as 2025-03-01 09:30,
                        2025/3/1 9:30:00 or 2025年3月1日 9时30分; read as Beijing time when no zone is given.
                        The ticket's deadlines run from it.
    诉求分类  required  a category code (0101) or name (暴露垃圾) of our category tree
    诉求内容  required  the description
    地址      optional  the address the caller gave
    来电人    optional  the caller's name (masked for everyone but the centre)
    联系电话  optional  the caller's phone (masked likewise)

Each row's address is matched to exactly one building (`AddressIndex`); the ticket is filed at the building's
point and routed like any other (`services.report`, source HOTLINE). A row whose address matches no building,
or more than one, is filed without a location and waits in the street centre's queue (/events/unplaced) for
a person to place it on the map (`services.place`).

All or nothing: every row is checked first (a bad row is reported with its spreadsheet row number, the header
being row 1), and only a batch without errors is written, in ONE transaction. A dry run writes it too and
rolls it back, so its counts are exactly what the import would do.
"""
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from geogrid.areas.models import Area
from geogrid.buildings.addresses import AddressIndex
from geogrid.core.crs import ParsedPoint, parse_crs
from geogrid.events.models import Event, EventCategory
from geogrid.events.services import PLACEABLE, NewReport, hold_for_placement, report
from geogrid.events.selectors import events_visible_to
from geogrid.imports.readers import ReadError, open_source
from geogrid.search.selectors import normalise

CLIENT_PREFIX = "12345:"
MAX_ERRORS = 200  # listed in full up to here; the count always covers all of them
Progress = Callable[[int, int], None]  # (done, total)


@dataclass(frozen=True)
class Column:
    name: str  # the canonical header
    key: str
    required: bool
    max_length: int | None = None


COLUMNS = (
    Column("工单编号", "ticket", True, 64 - len(CLIENT_PREFIX)),
    Column("受理时间", "received_at", True),
    Column("诉求分类", "category", True),
    Column("诉求内容", "description", True),
    Column("地址", "address", False, 300),
    Column("来电人", "caller", False, 50),
    Column("联系电话", "phone", False, 20),
)


class HotlineError(Exception):
    """The batch cannot be imported; `errors` says why, row by row. Nothing was written."""

    def __init__(self, errors: list[str], total: int | None = None):
        super().__init__("; ".join(errors[:3]))
        self.errors = errors
        self.total = total if total is not None else len(errors)


# ---- reading and checking ----------------------------------------------------------------------------------

@dataclass
class HotlineRow:
    line: int  # in the spreadsheet, the header being line 1
    client_id: str
    received_at: datetime
    category: EventCategory
    description: str
    address: str
    caller: str
    phone: str


# 2025-03-01 09:30, 2025/3/1 9:30:00, 2025.3.1, 2025年3月1日9时30分: the time is set off by a space, "T" or 日.
DATETIME = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
                      r"(?:(?:\s+|T|(?<=日))(\d{1,2})[:时点](\d{1,2})(?:[:分](\d{1,2}))?[分秒]?)?")


def parse_received(value) -> datetime | None:
    """A 受理时间 cell as an aware datetime (Beijing time unless it says otherwise), or None if unreadable."""
    if isinstance(value, datetime):
        moment = value
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip()  # spaces kept: they part date from time
        match = DATETIME.fullmatch(text)
        if match is None:
            try:
                moment = datetime.fromisoformat(text)
            except ValueError:
                return None
        else:
            try:
                moment = datetime(*(int(part) if part else 0 for part in match.groups()))
            except ValueError:
                return None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _text(value) -> str:
    """A cell as text: whole numbers without ".0" (ticket ids and phones typed as numbers in Excel)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _categories() -> dict[str, EventCategory | None]:
    """Active categories by code and by name; a name two categories share maps to None (ambiguous)."""
    found: dict[str, EventCategory | None] = {}
    for category in EventCategory.objects.filter(active=True):
        found[category.code] = category
        name = normalise(category.name)
        found[name] = None if name in found and found[name] != category else category
    return found


def resolve_columns(header: list[str], mapping: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """Which file column feeds each canonical column: the mapping first, then the canonical name (headers
    compared after normalisation, so a full-width or spaced header still counts)."""
    errors = []
    by_name = {normalise(name): name for name in header}
    known = {c.name for c in COLUMNS}
    resolved: dict[str, str] = {}
    for target, source in mapping.items():
        if target not in known:
            errors.append(f"--map 中的 {target} 不是热线工单的列（可用：{'、'.join(c.name for c in COLUMNS)}）/ unknown column")
        elif normalise(source) not in by_name:
            errors.append(f"--map {target}={source}：文件中没有列 {source} / no such column")
        else:
            resolved[target] = by_name[normalise(source)]
    for column in COLUMNS:
        if column.name in resolved:
            continue
        if column.name in by_name:
            resolved[column.name] = by_name[column.name]
        elif column.required:
            errors.append(f"缺少必填列 {column.name}（可用 --map {column.name}=列名 指定；文件中的列：{'、'.join(header)}）"
                          f" / required column {column.name} is missing")
    return resolved, errors


def read_batch(path: Path, mapping: dict[str, str] | None = None, encoding: str | None = None) -> list[HotlineRow]:
    """Every row of the file, checked; HotlineError listing each bad row (by spreadsheet line) otherwise.
    Rows with every cell empty (the tail of many spreadsheets) are skipped."""
    try:
        source = open_source(Path(path), encoding=encoding)
    except ReadError as error:
        raise HotlineError([str(error)]) from None
    if source.format not in ("CSV", "XLSX"):
        raise HotlineError([f"热线工单须为 CSV 或 XLSX 文件 / a hotline batch is a CSV or XLSX file, not {source.format}"])
    columns, errors = resolve_columns(source.columns, mapping or {})
    if errors:
        raise HotlineError(errors)
    categories = _categories()
    rows: list[HotlineRow] = []
    problems: list[str] = []
    try:
        for batch in source.batches():
            for feature in batch:
                raw = {name: feature.attributes.get(header) for name, header in columns.items()}
                values = {c.name: _text(raw.get(c.name)) for c in COLUMNS}
                if not any(values.values()):
                    continue
                row, row_errors = _check_row(feature.number + 1, values, raw["受理时间"], categories)
                if row_errors:
                    problems += row_errors
                else:
                    rows.append(row)
    except ReadError as error:
        raise HotlineError([str(error)]) from None
    if problems:
        raise HotlineError(problems[:MAX_ERRORS], len(problems))
    return rows


def _check_row(line: int, values: dict[str, str], raw_time, categories: dict) -> tuple[HotlineRow | None, list[str]]:
    errors = []
    for column in COLUMNS:
        if column.required and not values[column.name]:
            errors.append(f"第 {line} 行：{column.name} 为空 / row {line}: {column.name} is empty")
        elif column.max_length and len(values[column.name]) > column.max_length:
            errors.append(f"第 {line} 行：{column.name} 超过 {column.max_length} 字 / row {line}: {column.name} too long")
    received = parse_received(raw_time) if values["受理时间"] else None
    if values["受理时间"] and received is None:
        errors.append(f"第 {line} 行：受理时间“{values['受理时间']}”无法识别（如 2025-03-01 09:30）"
                      f" / row {line}: unreadable time")
    wanted = values["诉求分类"]
    category = categories.get(wanted) or categories.get(normalise(wanted))
    if wanted and category is None:
        why = "同名分类不止一个，请用分类代码" if normalise(wanted) in categories else "不是启用的事件分类代码或名称"
        errors.append(f"第 {line} 行：诉求分类“{wanted}”{why} / row {line}: unknown category {wanted!r}")
    if errors:
        return None, errors
    return HotlineRow(line, CLIENT_PREFIX + values["工单编号"], received, category, values["诉求内容"],
                      values["地址"], values["来电人"], values["联系电话"]), []


# ---- writing -----------------------------------------------------------------------------------------------

@dataclass
class HotlineResult:
    rows: int = 0
    matched: int = 0
    unmatched: int = 0  # filed without a location, waiting to be placed (ambiguous ones included)
    ambiguous: int = 0  # of the unmatched: more than one building has the address
    duplicates: int = 0  # tickets already filed (an earlier import, or the same ticket twice in this batch)
    dry_run: bool = False
    waiting: list[tuple[int, str, str]] = field(default_factory=list)  # (line, address, reason) of the unmatched


class _DryRun(Exception):
    """Rolls back a dry run's writes."""


def import_batch(path: Path, *, mapping: dict[str, str] | None = None, encoding: str | None = None,
                 street: Area | None = None, user: User | None = None, dry_run: bool = False,
                 progress: Progress | None = None) -> HotlineResult:
    """Check and import a hotline batch; see the module docstring. HotlineError (nothing written) for a bad
    file or bad rows. Unmatched tickets wait in the queue of the street their address names or their
    candidate buildings share, else of `street` (by default the only street, when there is one); with none of
    these a ticket has no place at all and only superusers see it."""
    rows = read_batch(path, mapping, encoding)
    if street is None:
        streets = list(Area.objects.streets()[:2])
        street = streets[0] if len(streets) == 1 else None
    result = HotlineResult(rows=len(rows), dry_run=dry_run)
    try:
        with transaction.atomic():
            _write(rows, street, user, result, progress)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return result


def _write(rows: list[HotlineRow], default_street: Area | None, user: User | None, result: HotlineResult,
           progress: Progress | None) -> None:
    seen = set(Event.objects.filter(client_id__in=[r.client_id for r in rows]).values_list("client_id", flat=True))
    index = AddressIndex()
    storage = parse_crs("cgcs2000")
    for done, row in enumerate(rows, start=1):
        if row.client_id in seen:
            result.duplicates += 1
        else:
            seen.add(row.client_id)
            match = index.match(row.address)
            point = None if match.building is None else ParsedPoint(
                point=match.building.point, crs=storage, raw=(match.building.point.x, match.building.point.y))
            event, created = report(new=NewReport(
                category=row.category, description=row.description, point=point, address=row.address,
                source=Event.Source.HOTLINE, client_id=row.client_id, reporter_name=row.caller,
                reporter_phone=row.phone), user=user, at=row.received_at)
            if not created:  # filed meanwhile by a concurrent import of the same ticket
                result.duplicates += 1
            elif point is not None:
                result.matched += 1
            else:
                result.unmatched += 1
                result.ambiguous += match.candidates > 1
                result.waiting.append((row.line, row.address, match.reason if row.address else "没有地址 / no address"))
                queue = match.street or default_street
                if queue is not None:
                    hold_for_placement(event, queue)
        if progress is not None:
            progress(done, len(rows))


# ---- the queue -----------------------------------------------------------------------------------------------

def unplaced_events(user: User) -> QuerySet[Event]:
    """待定位: the tickets without a location this user can see and may still place, oldest first (the
    longest-waiting caller first). The page offers them to the centre; `services.place` checks the role."""
    return (events_visible_to(user).filter(location__isnull=True, status__in=PLACEABLE, merged_into__isnull=True)
            .order_by("reported_at", "pk"))

