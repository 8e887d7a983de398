"""`manage.py validate_coverage --area CODE [--level N] [--format text|json|geojson] [--repair]`.

Exit status: 0 without errors (warnings and slivers do not count), 1 when errors are found (with `--repair`:
errors that would remain after the proposed cleaning), 2 for an unknown area code. Scripts can rely on it.
"""
import json
import unicodedata
from collections.abc import Sequence

from django.core.management.base import BaseCommand, CommandError, CommandParser

from geogrid.areas.models import Area
from geogrid.coverage.selectors import CoverageReport, Problem, Severity, validate_coverage
from geogrid.coverage.services import RepairPreview, propose_repair
from geogrid.grids.models import Grid


def _width(text: str) -> int:
    """Terminal columns: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(_width(row[i]) for row in (header, *rows)) for i in range(len(header))]
    return ["  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(row, widths)).rstrip()
            for row in (header, *rows)]


def _problem_row(p: Problem) -> list[str]:
    return [p.severity.label, str(p.level), f"{p.area_m2:,.1f}", f"{p.location.x:.6f},{p.location.y:.6f}", p.message]


PROBLEM_HEADER = ["严重性/severity", "层级/level", "面积/m²", "位置/lon,lat", "说明/message"]


class Command(BaseCommand):
    help = ("Validate the grid coverage of a community, street or county: gaps, overlaps, grids outside their "
            "parent or community, buildings cut by grid boundaries, grid sizes against the county's rules. "
            "Exit status 1 when errors are found.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--area", required=True, help="12-digit area code (community, street or county)")
        parser.add_argument("--level", type=int, choices=Grid.Level.values, help="one grid level (default: all)")
        parser.add_argument("--format", dest="output_format", choices=["text", "json", "geojson"], default="text")
        parser.add_argument("--repair", action="store_true",
                            help="print a cleaned coverage of the level (default 1) as a preview; never writes")

    def handle(self, *args, area: str, level: int | None, output_format: str, repair: bool, **options) -> None:
        try:
            result = (propose_repair(area_code=area, level=level or Grid.Level.ONE) if repair
                      else validate_coverage(area, level))
        except Area.DoesNotExist:
            raise CommandError(f"未知的区划代码 / unknown area code: {area}", returncode=2)
        if output_format == "text":
            lines = self._repair_text(result) if repair else self._report_text(result)
            self.stdout.write("\n".join(lines))
        else:
            body = result.as_geojson() if output_format == "geojson" else result.as_json()
            self.stdout.write(json.dumps(body, ensure_ascii=False, indent=2))
        report = result.remaining if repair else result
        if report.has_errors:
            raise CommandError(f"发现 {report.count(Severity.ERROR)} 个错误 / errors found", returncode=1)

    @staticmethod
    def _counts(report: CoverageReport) -> str:
        return "，".join(f"{s.label}/{s.value} {report.count(s)}" for s in Severity)

    def _report_text(self, report: CoverageReport) -> list[str]:
        levels = ",".join(map(str, report.levels))
        lines = [f"{report.area_name}（{report.area_code}）网格覆盖校验 / coverage check, levels {levels}, "
                 f"{report.rules}", self._counts(report)]
        if report.problems:
            lines += ["", *_table(PROBLEM_HEADER, [_problem_row(p) for p in report.problems])]
        return lines

    def _repair_text(self, preview: RepairPreview) -> list[str]:
        changed = [g for g in preview.grids if g.changed]
        lines = [f"{preview.area_name}（{preview.area_code}）{preview.level}级网格修复预览 / repair preview "
                 f"(gap width {preview.gap_width_m} m), 未写入数据库 / nothing written",
                 f"调整网格 / changed grids: {len(changed)}"]
        if changed:
            lines += ["", *_table(
                ["网格/grid", "原面积/before m²", "新面积/after m²", "变化/change m²", "移动/moved m²"],
                [[g.code, f"{g.area_before_m2:,.1f}", f"{g.area_after_m2:,.1f}", f"{g.area_change_m2:+,.1f}",
                  f"{g.moved_m2:,.1f}"] for g in changed],
            )]
        lines += ["", "修复后仍存在的问题 / remaining problems: " + self._counts(preview.remaining)]
        if preview.remaining.problems:
            lines += _table(PROBLEM_HEADER, [_problem_row(p) for p in preview.remaining.problems])
        return lines
