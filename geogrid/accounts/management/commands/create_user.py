"""`manage.py create_user USERNAME --role street|community|department|worker --area CODE [--department CODE]
[--name 姓名] [--prompt]`: a user in a role with a scope. The password is generated and printed once, or
typed twice with --prompt."""
from getpass import getpass

from django.core.management.base import BaseCommand, CommandError

from geogrid.accounts.roles import ROLES
from geogrid.accounts.services import create_user, generate_password
from geogrid.core.api import DomainError


class Command(BaseCommand):
    help = "创建用户并指定角色与负责区域/部门"

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=sorted(ROLES))
        parser.add_argument("--area", help="负责区域的12位区划代码（街道角色为街道，社区/网格员角色为社区）")
        parser.add_argument("--department", help="部门代码（部门角色）")
        parser.add_argument("--name", default="", help="姓名")
        parser.add_argument("--prompt", action="store_true", help="输入密码（默认生成一个并显示一次）")

    def handle(self, *args, username: str, role: str, area: str | None, department: str | None, name: str,
               prompt: bool, **opts) -> None:
        password = self._typed() if prompt else generate_password()
        try:
            user = create_user(username=username, role=role, password=password, area_code=area,
                               department_code=department, full_name=name)
        except DomainError as error:
            raise CommandError(f"{error.message}（{error.code}）") from None
        scope = user.scope.area or user.scope.department
        self.stdout.write(self.style.SUCCESS(f"已创建用户 {username}：{ROLES[role].group}，负责 {scope}"))
        if not prompt:
            self.stdout.write(f"初始密码（只显示这一次）：{password}")

    @staticmethod
    def _typed() -> str:
        password = getpass("密码：")
        if not password or password != getpass("再次输入密码："):
            raise CommandError("两次输入的密码不一致或为空")
        return password
