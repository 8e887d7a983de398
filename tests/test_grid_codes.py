"""Grid codes by the configured rule: preview, apply, and old codes still findable."""
import pytest
from django.core.management import call_command

from geogrid.areas.models import Area
from geogrid.grids.coding import CodeRule
from geogrid.grids.models import Grid
from geogrid.grids.selectors import find_grid, propose_codes
from tests.demo_facts import COMMUNITY

pytestmark = pytest.mark.django_db


def test_demo_codes_already_follow_the_default_rule():
    changes = propose_codes(Area.objects.get(code=COMMUNITY))
    assert changes and all(c.old == c.new for c in changes)
    level2 = [c for c in changes if c.grid.level == 2]
    assert all(c.new.startswith(c.grid.parent.code) and len(c.new) == 18 for c in level2)


def test_column_order_renumbers_and_old_codes_stay_findable(settings, capsys):
    settings.GEOGRID_GRID_CODE_RULE = {"sequence_digits": 3, "row_height_m": 300, "order": "columns"}
    community = Area.objects.get(code=COMMUNITY)
    changes = propose_codes(community)
    moving = [c for c in changes if c.old != c.new]
    assert moving, "column order should move some codes"
    # Column order: a grid further west never gets a higher sequence than one in a column further east.
    level1 = sorted((c for c in changes if c.grid.level == 1), key=lambda c: c.new)
    xs = [c.grid.geom.centroid.transform(4545, clone=True).x // 300 for c in level1]
    assert xs == sorted(xs)

    call_command("renumber_grids", "--area", COMMUNITY)  # preview writes nothing
    assert Grid.objects.get(pk=moving[0].grid.pk).code == moving[0].old
    call_command("renumber_grids", "--area", COMMUNITY, "--apply")
    assert "→" in capsys.readouterr().out
    moved = Grid.objects.get(pk=moving[0].grid.pk)
    assert moved.code == moving[0].new
    children = Grid.objects.current().filter(parent=moved)
    assert all(child.code.startswith(moved.code) for child in children)


def test_a_longer_sequence_changes_every_code_and_old_codes_find_their_grid(settings):
    settings.GEOGRID_GRID_CODE_RULE = {"sequence_digits": 4, "row_height_m": 500, "order": "rows"}
    grid = Grid.objects.current().filter(community__code=COMMUNITY, level=1).order_by("code").first()
    old = grid.code
    call_command("renumber_grids", "--area", COMMUNITY, "--apply", verbosity=0)
    grid.refresh_from_db()
    assert len(grid.code) == 16 and grid.code != old
    assert not Grid.objects.current().filter(code=old).exists()
    assert find_grid(old) == grid and find_grid(grid.code) == grid


def test_rule_refuses_an_unknown_order():
    with pytest.raises(ValueError, match="rows"):
        CodeRule(order="spiral")
