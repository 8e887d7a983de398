"""`manage.py align_business_grids --department CODE [--decide BASE=BUSINESS ...] [--accept-low-share] [--apply]`.

Without --apply it prints the preview: area change per business grid, households moving between business
grids, and base grids that need a decision. With --apply it writes a new version of the department's layer.
"""
from django.core.management.base import BaseCommand, CommandError

from geogrid.alignment.services import AlignmentError, apply_alignment, preview_alignment
from geogrid.departments.models import Department


class Command(BaseCommand):
    help = "Align a department's business grids to the base grids (majority area), preview or apply."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--department", required=True)
        parser.add_argument("--decide", action="append", default=[], metavar="BASE=BUSINESS",
                            help="give a low-share base grid to a business grid (BUSINESS empty: to none)")
        parser.add_argument("--accept-low-share", action="store_true",
                            help="take the majority for low-share base grids too")
        parser.add_argument("--apply", action="store_true", help="write the new version (default: preview only)")

    def handle(self, *args, **opts) -> None:
        department = Department.objects.filter(code=opts["department"]).first()
        if department is None:
            raise CommandError(f"部门 {opts['department']} 不存在")
        decisions = {}
        for item in opts["decide"]:
            base, sep, business = item.partition("=")
            if not sep:
                raise CommandError(f"--decide {item}: 应写成 基础网格编码=业务网格编码")
            decisions[base.strip()] = business.strip() or None
        try:
            preview = preview_alignment(department=department, decisions=decisions)
            self._show(preview)
            if opts["apply"]:
                generation = apply_alignment(department=department, user=None, decisions=decisions,
                                             accept_low_share=opts["accept_low_share"])
                self.stdout.write(self.style.SUCCESS(
                    "已对齐，无需改动，未写入任何内容" if generation is None else
                    f"已写入新版本（版本 {generation.pk}）/ applied as generation {generation.pk}"))
        except AlignmentError as error:
            raise CommandError(str(error)) from None

    def _show(self, preview) -> None:
        for change in preview.changes:
            d = change.as_dict()
            self.stdout.write(f"{d['code']} {d['name']}：面积 {d['area_before_m2']:,.0f} → {d['area_after_m2']:,.0f} m²"
                              f"（{d['area_change_m2']:+,.0f}），对应基础网格 {len(d['base_grids'])} 个")
        for move in preview.moves:
            self.stdout.write(f"  {move['households']} 户（{move['buildings']} 栋楼）：{move['from'] or '—'} → "
                              f"{move['to'] or '—'}")
        for item in preview.undecided:
            self.stdout.write(self.style.WARNING(f"  需确定：{item['base_code']} → {item['business_code']}？"
                                                 f"（面积占比 {item['share']:.0%}）"))
        if preview.unassigned:
            self.stdout.write(f"  未被任何业务网格包含的基础网格：{len(preview.unassigned)} 个")
