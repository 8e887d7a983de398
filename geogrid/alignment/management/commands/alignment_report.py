"""`manage.py alignment_report --department CODE [--format text|json|geojson|xlsx] [-o FILE]`."""
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from geogrid.alignment.workbook import VERDICTS, write_report
from geogrid.alignment.selectors import alignment_report
from geogrid.departments.models import Department


class Command(BaseCommand):
    help = "How far a department's business grids are from the base grids (多网合一 alignment report)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--department", required=True, help="department code")
        parser.add_argument("--format", choices=["text", "json", "geojson", "xlsx"], default="text")
        parser.add_argument("-o", "--output", type=Path, help="write to this file (required for xlsx)")

    def handle(self, *args, department: str, format: str, output: Path | None, **options) -> None:
        found = Department.objects.filter(code=department).first()
        if found is None:
            raise CommandError(f"部门 {department} 不存在 / unknown department")
        report = alignment_report(found)
        if format == "xlsx":
            if output is None:
                raise CommandError("xlsx 需要 -o 文件名 / xlsx needs -o FILE")
            write_report(report, output)
            self.stdout.write(f"{len(report.grids)} business grids → {output}")
            return
        if format == "text":
            text = "\n".join([f"{g.code} {g.name}: {VERDICTS[g.verdict]} IoU {g.iou:.4f}, "
                              f"差异 {g.symmetric_difference_m2:,.0f} m² ({g.symmetric_difference_pct:.2f}%), "
                              f"Hausdorff {g.hausdorff_m:.1f} m, 分割 {len(g.splits)}, 细碎 {g.slivers}"
                              for g in report.grids] + [f"summary: {report.summary()}"])
        else:
            text = json.dumps(report.as_geojson() if format == "geojson" else report.as_json(), ensure_ascii=False)
        if output:
            output.write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text)
