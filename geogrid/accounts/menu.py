"""The top bar's menu: the pages a signed-in user can use, by their scope (an area or a department) and their
role's permissions. The pages check again (and scope every row); the menu only leaves out what would refuse
the user or show them nothing to do, so a grid worker's phone is not a row of twelve links."""
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest
from django.urls import reverse

from geogrid.accounts.selectors import scope_of


@dataclass(frozen=True)
class Entry:
    url_name: str
    label: str
    shown_to: Callable[[User], bool]


def _everyone(user: User) -> bool:
    return True


def _area_user(user: User) -> bool:
    scope = scope_of(user)
    return user.is_superuser or (scope is not None and scope.area_id is not None)


def _allowed(permission: str) -> Callable[[User], bool]:
    return lambda user: user.has_perm(permission)


MENU: tuple[Entry, ...] = (
    Entry("map", "网格地图", _everyone),
    Entry("report", "上报事件", _allowed("events.add_event")),
    Entry("events", "工单", _everyone),  # a unit sees the tickets routed to it
    Entry("coverage-map", "覆盖校验", _area_user),
    Entry("alignment", "多网合一", _everyone),  # a department sees its business grids, an area those in it
    Entry("circles", "服务圈", _area_user),
    Entry("editor-home", "网格编辑", _allowed("adjustments.add_changerequest")),
    Entry("adjustments", "调整审批", _allowed("adjustments.view_changerequest")),
    Entry("import-new", "数据导入", _allowed("imports.add_importjob")),
    Entry("export", "数据导出", _everyone),
    Entry("dashboard", "考核统计", _everyone),
)


def menu_for(user: User | AnonymousUser) -> list[tuple[str, str]]:
    """(url, label) of the menu entries this user may use; nothing for anonymous users."""
    if not user.is_authenticated:
        return []
    entries = [(reverse(entry.url_name), entry.label) for entry in MENU if entry.shown_to(user)]
    if user.is_staff:
        entries.append((reverse("admin:index"), "管理后台"))
    return entries


def menu(request: HttpRequest) -> dict[str, object]:
    """Context processor: `menu` for maps/_topbar.html, worked out only when a template reads it."""
    return {"menu": lambda: menu_for(request.user)}
