"""Steps 2 and 3: the warp that bends the rural grid edges into winding roads, then the areas (county,
street, communities) as coverage unions of the warped level-1 grids.
"""
from __future__ import annotations

import math
from dataclasses import replace
from typing import NamedTuple

import numpy as np
import shapely
from shapely import MultiPolygon, Polygon

from geogrid.demo.town.constants import (COUNTY_CODE, COUNTY_NAME, STREET_CODE, STREET_NAME, URBAN_COMMUNITIES,
                                         VILLAGES, WARP_FREE_RADIUS, WARP_FULL_RADIUS)
from geogrid.demo.town.geometry import Waves, per_vertex, require, single_polygon, smoothstep
from geogrid.demo.town.grids import Grid, in_community, level1
from geogrid.demo.town.specs import AreaSpec


class Areas(NamedTuple):
    specs: list[AreaSpec]  # county, street, then the communities and villages by code
    names: dict[str, str]  # community code -> name
    geoms: dict[str, Polygon]  # community code -> its outline in metres, by code
    street: Polygon


def warp(rng: np.random.Generator, grids: list[Grid]) -> list[Grid]:
    """Bend the grid edges outside the urban core: zero within WARP_FREE_RADIUS (straight streets, rectangular
    compounds), full beyond WARP_FULL_RADIUS. It depends on the point only and runs once per distinct vertex,
    so shared vertices stay bit-identical."""
    waves = Waves.random(rng, 60.0, (2200.0, 1300.0, 800.0, 420.0))

    def bend(xy: np.ndarray) -> np.ndarray:
        radius = np.hypot(xy[:, 0], xy[:, 1])
        ramp = smoothstep((radius - WARP_FREE_RADIUS) / (WARP_FULL_RADIUS - WARP_FREE_RADIUS))
        return xy + ramp[:, None] * waves.displacement(xy)

    warped = shapely.transform(np.array([g.geom for g in grids], dtype=object), per_vertex(bend))
    return [replace(grid, geom=geom) for grid, geom in zip(grids, warped)]


def community_of_seed(seeds: np.ndarray, urban_seed_count: int, seed: int) -> str:
    """Urban seeds by 90° compass sector around east/north/west/south, rural ones by quadrant."""
    x, y = seeds[seed]
    angle = math.atan2(y, x) % (2 * math.pi)
    if seed < urban_seed_count:
        return URBAN_COMMUNITIES[int(((angle + math.pi / 4) % (2 * math.pi)) // (math.pi / 2))][0]
    return VILLAGES[int(angle // (math.pi / 2))][0]


def communities(grids: list[Grid], seeds: np.ndarray, urban_seed_count: int) -> list[Grid]:
    """A grid belongs to the community of its Voronoi seed, children to their parent's (parents come before
    their children in the list)."""
    placed: list[Grid] = []
    for grid in grids:
        if grid.seed is not None:
            code = community_of_seed(seeds, urban_seed_count, grid.seed)
        else:
            code = placed[grid.parent].community  # type: ignore[index]
        placed.append(replace(grid, community=code))
    return placed


def areas(grids: list[Grid]) -> Areas:
    """County, street and communities; a community is the coverage union of its level-1 grids and the street
    the union of its communities, so they consist of the very same vertices as the grids."""
    names = {code: name for code, name in (*URBAN_COMMUNITIES.values(), *VILLAGES.values())}
    members = level1(grids)
    specs = []
    geoms: dict[str, Polygon] = {}
    for code, name in sorted(names.items()):
        mine = [grids[i].geom for i in in_community(grids, members, code)]
        require(len(mine) >= 2, f"{name} has fewer than two grids")
        geom = single_polygon(shapely.coverage_union_all(mine), name)
        geoms[code] = geom
        kind = "village" if code[-3:] >= "200" else "community"
        specs.append(AreaSpec(code=code, name=name, kind=kind, parent_code=STREET_CODE, geom=MultiPolygon([geom])))
    street = single_polygon(shapely.coverage_union_all(list(geoms.values())), STREET_NAME)
    theta = np.linspace(0, 2 * np.pi, 90, endpoint=False)
    wobble = 1 + 0.08 * np.cos(3 * theta + 1.0) + 0.05 * np.cos(5 * theta + 2.0)
    county = Polygon(np.column_stack([16000 * wobble * np.cos(theta), 13000 * wobble * np.sin(theta) - 2000]))
    return Areas(specs=[
        AreaSpec(code=COUNTY_CODE, name=COUNTY_NAME, kind="county", parent_code=None, geom=MultiPolygon([county])),
        AreaSpec(code=STREET_CODE, name=STREET_NAME, kind="street", parent_code=COUNTY_CODE,
                 geom=MultiPolygon([street])),
        *specs,
    ], names=names, geoms=geoms, street=street)
