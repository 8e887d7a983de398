"""Step 9: departments and their hand-drawn business grids (警务区, 责任区, ...).

A department groups adjacent level-1 grids into zones and "draws" each zone by hand: the union is
simplified, densified and every vertex moved by smooth noise of its own, so the layer has small gaps and
overlaps and misses the base boundaries by metres to tens of metres, as real departmental layers do.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely

from geogrid.demo.town.constants import CHINESE_NUMERALS, DEPARTMENTS, STREET_CODE, URBAN_COMMUNITIES, DepartmentPlan
from geogrid.demo.town.geometry import Waves, polygons_only
from geogrid.demo.town.grids import Grid, level1
from geogrid.demo.town.specs import BusinessGridSpec, DepartmentSpec


def departments(rng: np.random.Generator, grids: Sequence[Grid], neighbours: dict[int, set[int]]
                ) -> tuple[list[DepartmentSpec], list[BusinessGridSpec]]:
    """The first street's DEPARTMENTS and their business grids."""
    found, business_grids = [], []
    urban_codes = {code for code, _ in URBAN_COMMUNITIES.values()}
    for plan in DEPARTMENTS:
        found.append(DepartmentSpec(code=plan.code, name=plan.name, tier="town", area_code=STREET_CODE))
        members = [i for i in level1(grids) if not plan.urban_only or grids[i].community in urban_codes]
        business_grids += drawn(rng, grids, plan, zones(grids, neighbours, members, plan.zones))
    return found, business_grids


def drawn(rng: np.random.Generator, grids: Sequence[Grid], plan: DepartmentPlan, groups: Sequence[Sequence[int]]
          ) -> list[BusinessGridSpec]:
    """The department's business grids, one per group of grids, each drawn by hand around the group."""
    drawn_grids = []
    for n, group in enumerate(groups, start=1):
        union = shapely.coverage_union_all([grids[i].geom for i in group])
        outline = shapely.segmentize(shapely.simplify(union, 6.0), 25.0)
        waves = Waves.random(rng, float(rng.uniform(8.0, 25.0)), (900.0, 350.0, 140.0))
        moved = shapely.transform(outline, lambda xy, w=waves: xy + w.displacement(xy))
        drawn_grids.append(BusinessGridSpec(
            department_code=plan.code, code=f"{plan.grid_code_prefix}{n:02d}",
            name=plan.grid_name_pattern.format(n=CHINESE_NUMERALS[n - 1]),
            geom=polygons_only(shapely.make_valid(moved)),
        ))
    return drawn_grids


def zones(grids: Sequence[Grid], neighbours: dict[int, set[int]], members: list[int], count: int) -> list[list[int]]:
    """Contiguous groups of adjacent grids: seeds spread by farthest-point sampling over comprehensive
    grids, zones grown smallest first. Exclusive grids join the zone of the grid around them."""
    centre = {i: np.asarray(grids[i].geom.centroid.coords[0]) for i in members}
    eligible = [i for i in members if grids[i].kind == "comprehensive" and grids[i].setting != "estate"]
    seeds = [max(eligible, key=lambda i: (np.hypot(*centre[i]), -i))]
    while len(seeds) < count:
        seeds.append(max((i for i in eligible if i not in seeds),
                         key=lambda i: (min(np.hypot(*(centre[i] - centre[s])) for s in seeds), -i)))
    grown = [[s] for s in seeds]
    remaining = [i for i in members if i not in seeds]
    while remaining:
        for zone in sorted(grown, key=len):
            frontier = [i for i in remaining if neighbours[i] & set(zone)]
            if frontier:
                pick = min(frontier, key=lambda i: (np.hypot(*(centre[i] - centre[zone[0]])), i))
                zone.append(pick)
                remaining.remove(pick)
                break
        else:
            raise RuntimeError("demo town generator: zones cannot reach every grid")
    return grown
