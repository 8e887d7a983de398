"""The alignment report as an XLSX workbook: one row a business grid, one sheet of layer problems."""
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from geogrid.alignment.selectors import AlignmentReport
from geogrid.core.xlsx import save_workbook

VERDICTS = {"aligned": "一致", "nearly": "基本一致", "not": "不一致"}
FILLS = {"aligned": "D3F9D8", "nearly": "FFF3BF", "not": "FFC9C9"}
PROBLEMS = {"overlap": "业务网格相互重叠", "gap": "业务网格间缝隙", "base_uncovered": "基础网格无业务网格覆盖",
            "base_shared": "基础网格被多个业务网格分割"}


def write_report(report: AlignmentReport, path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "业务网格对齐"
    sheet.append(["业务网格编码", "名称", "面积(m²)", "对应基础网格", "IoU", "差异面积(m²)", "差异占比(%)",
                  "Hausdorff距离(m)", "分割的基础网格", "占比低需人工确定", "细碎图斑", "结论"])
    for grid in report.grids:
        row = grid.as_dict()
        sheet.append([row["code"], row["name"], row["area_m2"], "、".join(row["assigned"]), row["iou"],
                      row["symmetric_difference_m2"], row["symmetric_difference_pct"], row["hausdorff_m"],
                      "、".join(row["splits"]), "、".join(row["low_share"]), row["slivers"], _verdict(row)])
        sheet.cell(sheet.max_row, 12).fill = PatternFill("solid", fgColor=FILLS[row["verdict"]])
    problems = book.create_sheet("图层问题")
    problems.append(["问题", "涉及编码", "面积(m²)"])
    for problem in report.problems:
        problems.append([PROBLEMS[problem.kind], "、".join(problem.codes), round(problem.area_m2, 1)])
    for ws in (sheet, problems):
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
    save_workbook(book, path)
    return path


def _verdict(row: dict) -> str:
    return f"{VERDICTS[row['verdict']]}（{row['reason']}）" if row["reason"] else VERDICTS[row["verdict"]]
