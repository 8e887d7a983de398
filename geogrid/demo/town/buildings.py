"""Step 5: buildings. Apartment blocks in urban grids, hamlets of houses in rural grids, units in the estate,
public and commercial buildings in the exclusive grids.

Every footprint keeps CLEARANCE_M from its grid's boundary, so none is cut by a boundary or stands on a
road (the boundaries are road and river centre lines).
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

import numpy as np
import shapely
from shapely import Point, Polygon, box
from shapely.geometry.base import BaseGeometry

from geogrid.demo.town.constants import CLEARANCE_M, ESTATE_NAME, FACILITIES, STREET_NAME
from geogrid.demo.town.geometry import lattice, orientation, rectangles, require, sample_points
from geogrid.demo.town.grids import Grid, level1
from geogrid.demo.town.partition import EstateUnit
from geogrid.demo.town.roads import Network
from geogrid.demo.town.specs import RoadSpec


@dataclass(frozen=True)
class Building:
    """A building while the town is built, in metres; urban ones get their address in `addresses`."""

    use: str
    floors: int
    households: int
    footprint: Polygon
    grid: int
    address: str = ""
    resident_households: int = 0
    population: int = 0


class Buildings(NamedTuple):
    buildings: list[Building]
    access_roads: list[RoadSpec]  # one 通组路 per hamlet
    hamlets: dict[str, list[tuple[int, np.ndarray]]]  # village code -> [(grid, centre)] in 组 order
    facility_buildings: list[list[int]]  # per facility, indices of its buildings


def buildings(rng: np.random.Generator, grids: Sequence[Grid], network: Network, facility_rects: Sequence[Polygon],
              estate_units: Sequence[EstateUnit], community_names: dict[str, str]) -> Buildings:
    """Household targets follow the seed sizing rules, except one urban grid (~600 households) and one rural
    grid (~60) that are deliberately out of range, so the sizing checks have something to find."""
    members = level1(grids)
    comprehensive = [i for i in members if grids[i].setting in ("urban", "rural")]
    urban = [i for i in comprehensive if not grids[i].is_rural]
    rural = [i for i in comprehensive if grids[i].is_rural]
    crowded = max(urban, key=lambda i: grids[i].geom.area)
    sparse = min(rural, key=lambda i: grids[i].geom.area)
    built: list[Building] = []
    for index in urban:
        built += urban_blocks(rng, grids[index].geom, index, 600 if index == crowded else int(rng.integers(200, 301)))
    hamlets: dict[str, list[tuple[int, np.ndarray]]] = {}
    access_roads: list[RoadSpec] = []
    for index in rural:
        village = grids[index].community
        houses, roads, centres = _rural_houses(rng, grids[index].geom, index, 60 if index == sparse else
                                               int(rng.integers(110, 291)), network, community_names[village],
                                               len(hamlets.get(village, [])))
        built += houses
        access_roads += roads
        hamlets.setdefault(village, []).extend((index, centre) for centre in centres)
    for unit in estate_units:
        floors = int(rng.integers(12, 19))
        built.append(Building(use="residential", floors=floors, households=2 * floors, footprint=unit.footprint,
                              grid=unit.grid, address=f"{STREET_NAME}{ESTATE_NAME}{unit.building}栋{unit.unit}单元"))
    facility_buildings = []
    for facility, rect in zip(FACILITIES, facility_rects):
        grid = next(i for i in members if grids[i].name == facility.grid_name)
        cx, cy = rect.centroid.coords[0]
        facility_buildings.append(list(range(len(built), len(built) + len(facility.buildings))))
        for spec in facility.buildings:
            w, h = spec.size
            x, y = cx + spec.offset[0], cy + spec.offset[1]
            built.append(Building(use=spec.use, floors=spec.floors, households=0,
                                  footprint=box(x - w / 2, y - h / 2, x + w / 2, y + h / 2), grid=grid))
    return Buildings(buildings=residents(rng, built), access_roads=access_roads, hamlets=hamlets,
                     facility_buildings=facility_buildings)


def urban_blocks(rng: np.random.Generator, grid: Polygon, index: int, households: int,
                 avoid: BaseGeometry | None = None) -> list[Building]:
    """Apartment blocks (and sometimes a shop) for `households` in grid `index`, clear of its boundary and
    of the lines in `avoid` (roads and water of a neighbouring street that run on into it)."""
    inner = grid.buffer(-CLEARANCE_M)
    if avoid is not None:
        inner = inner.difference(avoid.buffer(CLEARANCE_M))
    shapely.prepare(inner)
    angle = orientation(grid)
    centroid = np.asarray(grid.centroid.coords[0])
    radius = np.hypot(*(np.asarray(grid.exterior.coords) - centroid).T).max()
    # Lattice cells of 64 m x 52 m hold any block (at most 41 m x 16 m, jittered by 4 m) with room to
    # spare; of four lattice phases the one fitting most blocks is used.
    cos, sin = math.cos(angle), math.sin(angle)
    layouts = []
    for dx, dy in ((0, 0), (32, 0), (0, 26), (32, 26)):
        origin = centroid + np.array([dx * cos - dy * sin, dx * sin + dy * cos])
        points = lattice(origin, angle, (64.0, 52.0), radius + 64)
        points = points + rng.uniform(-4, 4, points.shape)
        envelopes = rectangles(points, np.full((len(points), 2), 44.0), np.full(len(points), angle))
        layouts.append(points[shapely.contains(inner, envelopes)])
    candidates = max(layouts, key=len)
    # Blocks front the roads: candidates near the grid edge first, with some randomness.
    priority = shapely.distance(inner.boundary, shapely.points(candidates)) + rng.uniform(0, 60, len(candidates))
    candidates = candidates[np.argsort(priority, kind="stable")]
    blocks = _block_households(rng, households)
    shops = int(rng.random() < 0.4)
    require(len(candidates) >= len(blocks) + shops, f"urban grid {index} cannot hold {households} households")
    built = []
    for centre, block in zip(candidates, blocks):
        units = 1 if block <= 30 else 2 if block <= 56 else 3
        size = np.array([[13 * units + 2, rng.uniform(13, 16)]])
        turn = angle + (math.pi / 2 if rng.random() < 0.3 else 0.0)
        built.append(Building(
            use="mixed" if rng.random() < 0.25 else "residential",
            floors=int(np.clip(math.ceil(block / (2 * units)), 4, 18)), households=block,
            footprint=rectangles(centre[None], size, np.array([turn]))[0], grid=index,
        ))
    for centre in candidates[len(blocks): len(blocks) + shops]:
        shop = rectangles(centre[None], np.array([[30.0, 24.0]]), np.array([angle]))[0]
        built.append(Building(use="commercial", floors=int(rng.integers(2, 5)), households=0, footprint=shop,
                              grid=index))
    return built


def _block_households(rng: np.random.Generator, total: int) -> list[int]:
    """Split a grid's households into apartment blocks of 20-80 households each."""
    count = math.ceil(total / 50)
    blocks = rng.multinomial(total - 20 * count, np.full(count, 1 / count)) + 20
    require(bool(blocks.max() <= 80), "an apartment block would exceed 80 households")
    return [int(b) for b in blocks]


def _rural_houses(rng: np.random.Generator, grid: Polygon, index: int, households: int, network: Network,
                  village: str, groups_before: int) -> tuple[list[Building], list[RoadSpec], list[np.ndarray]]:
    """Houses (one household each) in hamlets (组) of compact lattices, each reached by a road; 组 are
    numbered per village, after the `groups_before` of its earlier grids. Returns the houses, the access
    roads and the hamlet centres."""
    free = grid.buffer(-CLEARANCE_M)
    sites = _hamlet_sites(rng, free.buffer(-60), math.ceil(households / 90))
    sizes = rng.multinomial(households - 15 * len(sites), np.full(len(sites), 1 / len(sites))) + 15
    road_lines = [p.line for n, p in enumerate(network.pieces) if index in p.grids and n not in network.river_pieces]
    roads = shapely.union_all(road_lines) if road_lines else grid.exterior
    houses: list[Building] = []
    access_roads: list[RoadSpec] = []
    for group, (centre, size) in enumerate(zip(sites, sizes), start=groups_before + 1):
        access = shapely.shortest_line(Point(centre), roads)
        if not grid.buffer(0.5).contains(access):
            access = shapely.shortest_line(Point(centre), grid.exterior)
        access_roads.append(RoadSpec(name=f"{village}{group}组通组路", kind="rural", geom=access))
        free = free.difference(access.buffer(7.0))
        shapely.prepare(free)
        angle = float(rng.uniform(0, math.pi))
        radius = math.sqrt(size * 24 * 21 / math.pi) * 2 + 40
        spots = lattice(centre, angle, (24.0, 21.0), radius)
        spots = spots + rng.uniform(-2.5, 2.5, spots.shape)
        sizes_m = np.column_stack([rng.uniform(10, 13, len(spots)), rng.uniform(9, 11, len(spots))])
        footprints = rectangles(spots, sizes_m, angle + rng.uniform(-0.1, 0.1, len(spots)))
        ok = shapely.contains(free, footprints)
        footprints, spots = footprints[ok], spots[ok]
        require(len(footprints) >= size, f"rural grid {index} cannot hold a hamlet of {size} houses")
        score = np.hypot(*(spots - centre).T) * rng.uniform(1.0, 1.6, len(spots))
        chosen = footprints[np.argsort(score, kind="stable")[:size]]
        for number, house in enumerate(chosen, start=1):
            houses.append(Building(use="residential", floors=int(rng.choice([1, 2, 2, 3])), households=1,
                                   footprint=house, grid=index, address=f"{STREET_NAME}{village}{group}组{number}号"))
        free = free.difference(shapely.union_all(chosen).buffer(6.0))
    return houses, access_roads, sites


def _hamlet_sites(rng: np.random.Generator, area: BaseGeometry, count: int) -> list[np.ndarray]:
    """Hamlet centres inside the area, at least 450 m apart (fewer hamlets if they do not fit)."""
    polygon = max(shapely.get_parts(area), key=lambda p: p.area)
    sites: list[np.ndarray] = []
    for point in sample_points(rng, polygon, 200):
        if len(sites) == count:
            break
        if all(np.hypot(*(point - s)) >= 450 for s in sites):
            sites.append(point)
    require(bool(sites), "no room for a hamlet")
    return sites


def residents(rng: np.random.Generator, built: Iterable[Building]) -> list[Building]:
    """The buildings with the resident households and population of each one with households."""
    settled = []
    for building in built:
        if building.households == 1:  # a rural house; about one in seven stands empty (外出务工)
            resident = int(rng.random() < 0.85)
            building = replace(building, resident_households=resident,
                               population=resident * int(rng.choice([2, 3, 3, 4])))
        elif building.households:
            resident = round(building.households * rng.uniform(0.8, 0.97))
            building = replace(building, resident_households=resident,
                               population=round(resident * rng.uniform(2.5, 3.2)))
        settled.append(building)
    return settled
