"""Roles from migrations, `create_user`, `create_department` and the 403 page."""
import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command

from geogrid.accounts.roles import ROLES
from geogrid.departments.models import Department
from tests.demo_facts import COMMUNITY, STREET

pytestmark = pytest.mark.django_db


def test_every_role_group_exists_with_its_permissions():
    for role in ROLES.values():
        group = Group.objects.get(name=role.group)
        assert group.permissions.count() == sum(map(len, role.permissions.values())), role.key


def test_create_user_prints_a_generated_password_once_and_scopes_the_user(capsys):
    call_command("create_user", "clerk1", "--role", "street", "--area", STREET, "--name", "王芳")
    out = capsys.readouterr().out
    password = out.split("初始密码（只显示这一次）：")[1].strip()
    user = User.objects.get(username="clerk1")
    assert user.check_password(password) and user.is_staff and user.scope.area.code == STREET
    assert list(user.groups.values_list("name", flat=True)) == [ROLES["street"].group]


@pytest.mark.parametrize("args, code", [
    (["--role", "street", "--area", COMMUNITY], "scope_mismatch"),
    (["--role", "department"], "required"),
    (["--role", "community", "--area", "999999999999"], "unknown_area"),
])
def test_create_user_refuses_a_wrong_scope(args, code):
    with pytest.raises(CommandError, match=code):
        call_command("create_user", "clerk2", *args)
    assert not User.objects.filter(username="clerk2").exists()


def test_create_department_takes_the_tier_from_its_area(capsys):
    call_command("create_department", "--code", "522624001-TEST", "--name", "测试办", "--area", STREET)
    assert Department.objects.get(code="522624001-TEST").tier == Department.Tier.TOWN
    assert "已创建部门" in capsys.readouterr().out
    with pytest.raises(CommandError, match="code_taken"):
        call_command("create_department", "--code", "522624001-TEST", "--name", "测试办", "--area", STREET)
    with pytest.raises(CommandError, match="area_kind"):
        call_command("create_department", "--code", "X-1", "--name", "社区办", "--area", COMMUNITY)


def test_a_logged_in_user_without_the_permission_gets_a_403_page_saying_so(client):
    client.force_login(User.objects.get(username="police"))
    response = client.get("/imports/new")
    assert response.status_code == 403
    assert "没有打开此页面所需的权限" in response.content.decode()
    client.logout()
    assert client.get("/imports/new").status_code == 302  # not logged in: the login page
