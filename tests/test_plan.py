"""网格划分平面图: every grid labelled with its code, the legend with its people, printable to one A4 page."""
import pytest
from django.contrib.auth.models import User
from django.contrib.gis.geos import Point

from geogrid.areas.models import Area
from geogrid.grids.models import Grid
from geogrid.grids.plan import community_plan
from tests.browsing import log_in
from tests.demo_facts import COMMUNITY, OTHER_COMMUNITY

pytestmark = pytest.mark.django_db


def test_the_legend_lists_every_current_grid_with_its_people_and_masks_phones_outside_the_scope():
    community = Area.objects.get(code=COMMUNITY)
    grids = Grid.objects.current().filter(community=community).order_by("level", "code")
    own = community_plan(community, User.objects.get(username="community"))
    assert [row.code for row in own.legend] == [g.code for g in grids if g.level == 1]
    assert [f["properties"]["code"] for f in own.grids["features"]] == [g.code for g in grids]
    first = own.legend[0]
    assert first.leader and "*" not in first.leader
    estate = next(row for row in own.legend if row.finer)
    assert estate.finer == grids.filter(level__gt=1, code__startswith=estate.code).count() > 0
    for feature in own.grids["features"]:  # every label inside its own grid
        if feature["properties"]["label_at"]:
            lat, lon = feature["properties"]["label_at"]
            assert grids.get(code=feature["properties"]["code"]).geom.contains(Point(lon, lat, srid=4490))
    police = community_plan(community, User.objects.get(username="police"))
    assert "*" in police.legend[0].leader  # a department user sees the plan with masked phones


def test_the_plan_page_is_only_for_users_whose_area_covers_the_community(client):
    client.force_login(User.objects.get(username="community"))
    assert client.get(f"/plan/{COMMUNITY}").status_code == 200
    assert client.get(f"/plan/{OTHER_COMMUNITY}").status_code == 404


@pytest.mark.browser
def test_the_plan_prints_to_one_a4_page_with_every_code(recorder, app_server, artifacts):
    level1 = list(Grid.objects.current().filter(community__code=COMMUNITY, level=1).order_by("code"))
    page = recorder.page
    log_in(page, app_server, "community")
    page.goto(f"{app_server}/plan/{COMMUNITY}")
    page.wait_for_selector("body[data-ready='1']")
    labels = page.locator(".grid-label").all_inner_texts()
    assert sorted(label.split("\n")[0] for label in labels) == [g.code[len(COMMUNITY):] for g in level1]
    assert "和平社区网格划分平面图" in page.locator("h1").inner_text()
    page.screenshot(path=artifacts / "plan.png", full_page=True)
    pdf = page.pdf(path=artifacts / "plan.pdf", format="A4", landscape=True, print_background=True)
    assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") == 1
    recorder.assert_stayed_local()
