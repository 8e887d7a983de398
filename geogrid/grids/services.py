"""Writes of grids."""
from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat

from geogrid.areas.models import Area
from geogrid.grids.models import Grid


def _reading_order_key(grid: Grid, row_height_m: float, north_m: float) -> tuple[int, float]:
    centroid = grid.geom.centroid
    centroid.transform(settings.GEOGRID_AREA_SRID)
    return int((north_m - centroid.y) // row_height_m), centroid.x


@transaction.atomic
def number_grids(community: Area, row_height_m: float | None = None) -> list[Grid]:
    """Give the community's current grids codes by the default rule.

    Level-1 grids get the community code + a 3-digit sequence; a level-2 or level-3 grid gets its parent's
    code + a 3-digit sequence. Inside each group grids are numbered in reading order: rows of
    `row_height_m` (GEOGRID_CODE_ROW_HEIGHT_M) from north to south, west to east inside a row.
    """
    row_height_m = row_height_m or settings.GEOGRID_CODE_ROW_HEIGHT_M
    grids = list(Grid.objects.current().filter(community=community).select_related("parent").order_by("level", "id"))
    if not grids:
        return []
    extent = community.geom.transform(settings.GEOGRID_AREA_SRID, clone=True).extent
    north_m = extent[3]
    # Free every code first: the unique constraint on current codes holds after each statement.
    Grid.objects.filter(pk__in=[g.pk for g in grids]).update(code=Concat(Value("~"), Cast("id", CharField())))
    return _assign(grids, community.code, north_m, row_height_m)


def _assign(grids: list[Grid], community_code: str, north_m: float, row_height_m: float) -> list[Grid]:
    by_parent: dict[int | None, list[Grid]] = {}
    for grid in grids:
        by_parent.setdefault(grid.parent_id, []).append(grid)
    codes: dict[int, str] = {}
    for level in (1, 2, 3):
        for parent_id, siblings in by_parent.items():
            if not siblings or siblings[0].level != level:
                continue
            prefix = community_code if parent_id is None else codes[parent_id]
            siblings.sort(key=lambda g: _reading_order_key(g, row_height_m, north_m))
            for seq, grid in enumerate(siblings, start=1):
                codes[grid.pk] = f"{prefix}{seq:03d}"
    for grid in grids:
        grid.code = codes[grid.pk]
    Grid.objects.bulk_update(grids, ["code"])
    return grids
