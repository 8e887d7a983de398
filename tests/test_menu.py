"""The top bar's menu shows each role the pages it can use (every link opens for that user), and on a phone it
folds behind a 菜单 button."""
import re

import pytest
from django.contrib.auth.models import User

from tests.browsing import Recorder, log_in

LINK = re.compile(r'<nav id="topbar-menu">(.*?)</nav>', re.S)
EVERYONE = {"网格地图", "工单", "多网合一", "数据导出", "考核统计"}
AREA_PAGES = {"覆盖校验", "服务圈"}
EDITING = {"网格编辑", "调整审批", "数据导入"}


def menu_of(client, username: str) -> dict[str, str]:
    client.force_login(User.objects.get(username=username))
    nav = LINK.search(client.get("/").content.decode()).group(1)
    return {label: url for url, label in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav)}


@pytest.mark.django_db
@pytest.mark.parametrize("username, labels", [
    ("admin", EVERYONE | AREA_PAGES | EDITING | {"上报事件", "管理后台"}),
    ("street", EVERYONE | AREA_PAGES | EDITING | {"上报事件", "管理后台"}),
    ("community", EVERYONE | AREA_PAGES | EDITING | {"上报事件"}),
    ("police", EVERYONE),  # a department: its tickets, its business grids, its figures
    ("police2", EVERYONE),
])
def test_each_role_sees_the_pages_it_can_use_and_each_opens(client, username, labels):
    menu = menu_of(client, username)
    assert set(menu) == labels
    for label, url in menu.items():
        response = client.get(url)
        assert response.status_code in (200, 302), (label, url, response.status_code)
        if response.status_code == 302:  # /editor/ goes straight to the user's own community
            assert not response["Location"].startswith("/accounts/login"), label


@pytest.mark.django_db
def test_the_current_page_is_marked(client):
    client.force_login(User.objects.get(username="street"))
    assert '<a href="/events/" aria-current="page">工单</a>' in client.get("/events/").content.decode()


@pytest.mark.browser
@pytest.mark.django_db
def test_on_a_phone_the_menu_folds_behind_a_button(browser, app_server):
    phone = Recorder(browser, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = phone.page
    log_in(page, app_server, "community")
    page.goto(f"{app_server}/events/")
    link = page.locator("#topbar-menu a", has_text="考核统计")
    assert not link.is_visible() and page.locator(".menu-toggle").is_visible()
    page.locator(".menu-toggle").tap()
    page.wait_for_function("() => document.querySelector('.menu-toggle').getAttribute('aria-expanded') === 'true'")
    assert link.is_visible()
    box = page.locator("#topbar-menu").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390  # the open menu stays on the screen
    link.tap()
    page.wait_for_url(f"{app_server}/dashboard/")
    phone.assert_stayed_local()
    phone.context.close()


@pytest.mark.browser
@pytest.mark.django_db
def test_on_a_desktop_the_links_show_in_the_bar(recorder, app_server):
    page = recorder.page
    log_in(page, app_server, "police")
    page.goto(f"{app_server}/events/")
    assert not page.locator(".menu-toggle").is_visible()
    assert page.locator("#topbar-menu a", has_text="多网合一").is_visible()
    assert page.locator("#topbar-menu a", has_text="网格编辑").count() == 0
    recorder.assert_stayed_local()
