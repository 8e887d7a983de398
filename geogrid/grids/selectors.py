"""Reads of grids."""
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User

from geogrid.accounts.selectors import area_code_prefix
from geogrid.areas.models import Area
from geogrid.grids.coding import CodeRule, configured_rule
from geogrid.grids.models import Grid, GridQuerySet


def grids_visible_to(user: User | AnonymousUser, level: int | None = None) -> GridQuerySet:
    """Current grids in the user's area (all of them for superusers; department users: the department's area)."""
    grids = Grid.objects.current().select_related("community").order_by("level", "code")
    if level is not None:
        grids = grids.filter(level=level)
    prefix = area_code_prefix(user)
    return grids.none() if prefix is None else grids.filter(community__code__startswith=prefix)


@dataclass
class CodeChange:
    grid: Grid
    old: str
    new: str


def propose_codes(community: Area, rule: CodeRule | None = None) -> list[CodeChange]:
    """The codes the coding rule gives the community's current grids (level by level, parents first)."""
    rule = rule or configured_rule()
    grids = list(Grid.objects.current().filter(community=community).order_by("level", "id"))
    west, _, _, north = community.geom.transform(settings.GEOGRID_AREA_SRID, clone=True).extent
    groups: dict[int | None, list[Grid]] = {}
    for grid in grids:
        groups.setdefault(grid.parent_id, []).append(grid)

    def reading_order(g: Grid) -> tuple[int, float]:
        centroid = g.geom.centroid.transform(settings.GEOGRID_AREA_SRID, clone=True)
        return rule.sort_key(centroid.x, centroid.y, west, north)

    new_codes: dict[int, str] = {}
    for grid in grids:  # level order: a parent's new code is known before its children's
        siblings = groups.pop(grid.parent_id, None)
        if siblings is None:
            continue
        prefix = community.code if grid.parent_id is None else new_codes[grid.parent_id]
        for sequence, sibling in enumerate(sorted(siblings, key=reading_order), start=1):
            new_codes[sibling.pk] = rule.code(prefix, sequence)
    return [CodeChange(g, g.code, new_codes[g.pk]) for g in grids]


def find_grid(code: str) -> Grid | None:
    """The current grid with this code, or the one that carried it before a renumbering (audit trail)."""
    grid = Grid.objects.current().filter(code=code).first()
    if grid is not None:
        return grid
    former = Grid.audit_trail.rel.related_model.objects.filter(code=code).order_by("-pgh_id").first()
    return None if former is None else Grid.objects.current().filter(pk=former.pgh_obj_id).first()
