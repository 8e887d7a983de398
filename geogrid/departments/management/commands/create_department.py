"""`manage.py create_department --code CODE --name 名称 --area AREA_CODE [--tier town|district]`."""
from django.core.management.base import BaseCommand, CommandError

from geogrid.core.api import DomainError
from geogrid.departments.models import Department
from geogrid.departments.services import create_department


class Command(BaseCommand):
    help = "创建部门（街道的科室或县/区的部门）/ create a department of a street or a county"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--code", required=True, help="部门代码，如 330106001-PS")
        parser.add_argument("--name", required=True, help="部门名称")
        parser.add_argument("--area", required=True, help="所属街道/乡镇或县/区的12位区划代码")
        parser.add_argument("--tier", choices=Department.Tier.values, help="层级（默认按所属区划）")

    def handle(self, *args, code: str, name: str, area: str, tier: str | None, **opts) -> None:
        try:
            department = create_department(code=code, name=name, area_code=area, tier=tier)
        except DomainError as error:
            raise CommandError(f"{error.message}（{error.code}）") from None
        self.stdout.write(self.style.SUCCESS(
            f"已创建部门 {department.code} {department.name}（{department.get_tier_display()}，{department.area.name}）"))
