"""The dashboard's tables as an XLSX workbook: the monthly rates, one sheet per grouping for the chosen month,
and the grid workers' score sheets. Rates are stored as fractions with a percent format, so they stay numbers."""
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from geogrid.core.xlsx import workbook_bytes
from geogrid.scores.rates import DIMENSIONS, RATES, Counts, RateReport
from geogrid.scores.selectors import WorkerSheet

PERCENT = "0.0%"
FAIL_FILL = "FFC9C9"
SHEET_NAMES = {"grid": "网格", "community": "社区", "department": "责任单位", "worker": "网格员"}  # no "/" in Excel
COUNT_COLUMNS = (("派遣件数", "dispatched"), ("应办结件数", "due"), ("按时办结件数", "closed_on_time"),
                 ("当月办结件数", "closed"), ("回访件数", "followed_up"), ("满意件数", "satisfied"),
                 ("返工件数", "reworked"), ("延期件数", "extended"))


def _rate_cells(counts: Counts) -> list:
    return [counts.rate(name) for name, *_ in RATES] + [getattr(counts, attr) for _, attr in COUNT_COLUMNS]


def _percent(sheet: Worksheet) -> None:
    for row in sheet.iter_rows(min_row=2, min_col=2, max_col=1 + len(RATES)):
        for cell in row:
            cell.number_format = PERCENT


def write_dashboard(report: RateReport, month: date, sheets: list[WorkerSheet]) -> bytes:
    book = Workbook()
    summary = book.active
    summary.title = "月度汇总"
    rate_headers = [label for _, label, *_ in RATES] + [label for label, _ in COUNT_COLUMNS]
    summary.append(["月份", *rate_headers])
    for each in report.months:
        summary.append([f"{each:%Y-%m}", *_rate_cells(report.total[each])])
    _percent(summary)
    written = [summary]
    for dimension, label in DIMENSIONS.items():
        sheet = book.create_sheet(SHEET_NAMES[dimension])
        sheet.append([f"{label}（{month:%Y-%m}）", *rate_headers])
        for name, counts in report.rows(dimension, month):
            sheet.append([name, *_rate_cells(counts)])
        _percent(sheet)
        written.append(sheet)
    scores = book.create_sheet("网格员月考核")
    item_names = [item.item.name for item in sheets[0].items] if sheets else []
    scores.append(["网格员", "有效工单", "退回工单", "工单得分", "工单合格率", *item_names, "总分", "结论"])
    for worker in sheets:
        scores.append([worker.name, worker.valid_tickets, worker.returned_tickets, worker.ticket_points,
                       worker.quality, *[item.points for item in worker.items], worker.total, worker.verdict])
        scores.cell(scores.max_row, 5).number_format = PERCENT
        if not worker.passed:
            scores.cell(scores.max_row, scores.max_column).fill = PatternFill("solid", fgColor=FAIL_FILL)
    written.append(scores)
    for ws in written:
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "B2"
        ws.column_dimensions["A"].width = 28
    return workbook_bytes(book)
