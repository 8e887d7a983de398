"""manage.py load_event_defaults STREET_CODE: the default category tree, and the street's units and its own
归口办理 rows (seed 003)."""
from django.core.management.base import BaseCommand, CommandError

from geogrid.areas.models import Area
from geogrid.events.defaults import install_street_defaults


class Command(BaseCommand):
    help = "安装默认事件分类及该街道的责任单位与归口办理表（只补缺，不覆盖已修改的内容）"

    def add_arguments(self, parser) -> None:
        parser.add_argument("street", help="街道/乡镇代码：缺少的责任单位建在该街道下 / the street's area code")

    def handle(self, *args, street: str, **options) -> None:
        area = Area.objects.streets().filter(code=street).first()
        if area is None:
            raise CommandError(f"没有代码为 {street} 的街道/乡镇 / no street with code {street}")
        created = install_street_defaults(street=area)
        self.stdout.write(f"{area.name}：新建事件分类 {created['categories']} 个、责任单位 {created['departments']} 个、"
                          f"归口办理 {created['responsibilities']} 条（已有的保持不变）")
