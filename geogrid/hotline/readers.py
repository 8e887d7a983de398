"""Reading 12345 hotline batches: CSV or XLSX exports of the hotline's tickets, which carry an address and no coordinates.

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

Every row is checked here (a bad row is reported with its spreadsheet row number, the header being row 1);
`geogrid.hotline.services` writes a batch only when no row is bad.
"""
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.utils import timezone

from geogrid.events.models import EventCategory
from geogrid.imports.readers import ReadError, open_source
from geogrid.search.selectors import normalise

CLIENT_PREFIX = "12345:"
MAX_ERRORS = 200  # listed in full up to here; the count always covers all of them


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
