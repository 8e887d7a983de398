"""Step 1, the partition: every grid of every level as faces of ONE noded line arrangement.

The arrangement is made of the Voronoi edges of the level-1 grid seeds, the street outline, the facility
rectangles and the estate's cut lines. Each face goes to one grid and a grid is the coverage union of its
faces and its descendants' faces, so neighbouring grids share their edges vertex for vertex and a parent is
exactly the union of its children.
"""
from __future__ import annotations

import math
from dataclasses import replace
from typing import NamedTuple

import numpy as np
import shapely
from shapely import LineString, Point, Polygon, box

from geogrid.demo.town.constants import (BUILDING_DEPTH, ESTATE_NAME, ESTATE_SIZE, ESTATE_TARGET, ESTATE_UNITS,
                                         FACILITIES, RURAL_GRIDS, UNIT_WIDTH, URBAN_RADII, URBAN_SPACING,
                                         WARP_FREE_RADIUS)
from geogrid.demo.town.geometry import single_polygon
from geogrid.demo.town.grids import Grid, descendants

Harmonics = tuple[tuple[int, float, float], ...]  # (order, relative amplitude, phase) of the outline's wobble


class EstateUnit(NamedTuple):
    """A stairwell unit of the estate: its own level-3 grid and the footprint standing in it."""

    building: int  # building number, 1-6
    unit: int  # unit number within the building
    footprint: Polygon
    grid: int


class Estate(NamedTuple):
    grids: list[Grid]  # the level-1 estate grid, then per building its level-2 grid and its units' level-3 grids
    zones: list[tuple[Polygon, int]]  # each level-3 grid's rectangle
    lines: list[LineString]  # every cut line; each end lies exactly on another line, so noding is exact
    paths: list[LineString]  # the estate's inner roads: the row divide and the column divides
    units: list[EstateUnit]


class Partition(NamedTuple):
    outline: Polygon  # the street as first drawn, before the warp
    seeds: np.ndarray  # Voronoi seeds of comprehensive level-1 grids: urban ones first
    urban_seed_count: int
    grids: list[Grid]  # in metres, not yet warped; no community yet
    facility_rects: list[Polygon]  # per facility in FACILITIES order
    estate_paths: list[LineString]
    estate_units: list[EstateUnit]


def partition(rng: np.random.Generator) -> Partition:
    harmonics = tuple((k, 0.09 / k * rng.uniform(0.4, 1.0), rng.uniform(0, 2 * np.pi)) for k in range(2, 8))
    outline = street_outline(harmonics)
    urban = _urban_seeds(rng)
    rural = _rural_seeds(rng, harmonics)
    seeds = np.vstack([urban, rural])
    cells = shapely.get_parts(shapely.voronoi_polygons(
        shapely.multipoints(seeds), extend_to=outline.buffer(3000), ordered=True,
    ))
    lines = [*shapely.boundary(cells), outline.exterior]
    grids = [Grid(name=None, kind="comprehensive", level=1, setting="urban" if seed < len(urban) else "rural",
                  seed=seed) for seed in range(len(seeds))]
    zones: list[tuple[Polygon, int]] = []  # (rectangle, grid) tried before the Voronoi cells
    hosts: list[int] = []
    for facility in FACILITIES:
        rect, host = _site(cells, seeds[: len(urban)], facility.target, facility.size, hosts)
        hosts.append(host)
        grids.append(Grid(name=facility.grid_name, kind="exclusive", level=1, setting="facility",
                          exclusive_type=facility.exclusive_type, seed=host))
        zones.append((rect, len(grids) - 1))
        lines.append(rect.exterior)
    facility_rects = [zone for zone, _ in zones]
    estate_rect, host = _site(cells, seeds[: len(urban)], ESTATE_TARGET, ESTATE_SIZE, hosts)
    estate = _estate(estate_rect, host, len(grids))
    grids += estate.grids
    zones += estate.zones
    lines += [estate_rect.exterior, *estate.lines]
    noded = shapely.segmentize(shapely.union_all(lines), 40.0)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    inside = faces[shapely.contains(outline, shapely.point_on_surface(faces))]
    owned: list[list[Polygon]] = [[] for _ in grids]
    for face in inside:
        point = face.point_on_surface()
        owner = next((grid for zone, grid in zones if zone.contains(point)), None)
        if owner is None:
            owner = int(np.argmin(np.hypot(*(seeds - np.asarray(point.coords[0])).T)))
        owned[owner].append(face)
    united = []
    for index, grid in enumerate(grids):
        mine = owned[index] + [f for below in descendants(grids, index) for f in owned[below]]
        united.append(replace(grid, geom=single_polygon(shapely.coverage_union_all(mine), f"grid {index}")))
    return Partition(outline=outline, seeds=seeds, urban_seed_count=len(urban), grids=united,
                     facility_rects=facility_rects, estate_paths=estate.paths, estate_units=estate.units)


def street_outline(harmonics: Harmonics) -> Polygon:
    """About 6 km x 5 km: an ellipse with a wobbly edge, star-shaped so it stays a valid polygon."""
    theta = np.linspace(0, 2 * np.pi, 180, endpoint=False)
    radius = _outline_radius(theta, harmonics)
    return Polygon(np.round(np.column_stack([radius * np.cos(theta), radius * np.sin(theta)])))


def _outline_radius(theta: np.ndarray, harmonics: Harmonics) -> np.ndarray:
    ellipse = 1 / np.hypot(np.cos(theta) / 3000, np.sin(theta) / 2500)
    return ellipse * (1 + sum(a * np.cos(k * theta + phase) for k, a, phase in harmonics))


def _urban_seeds(rng: np.random.Generator) -> np.ndarray:
    """A jittered hexagonal lattice filling the urban core: irregular city blocks of ~0.2 km²."""
    rows = np.arange(-4, 5)
    cols = np.arange(-5, 6)
    col, row = np.meshgrid(cols, rows)
    x = (col + (row % 2) / 2) * URBAN_SPACING
    y = row * URBAN_SPACING * math.sqrt(3) / 2
    xy = np.column_stack([x.ravel(), y.ravel()])
    xy = xy[(xy[:, 0] / URBAN_RADII[0]) ** 2 + (xy[:, 1] / URBAN_RADII[1]) ** 2 <= 1]
    return np.round(xy + rng.uniform(-0.2, 0.2, xy.shape) * URBAN_SPACING)


def _rural_seeds(rng: np.random.Generator, harmonics: Harmonics) -> np.ndarray:
    """One ring of seeds between the urban core and the street boundary: large rural grids."""
    theta = 2 * np.pi * (np.arange(RURAL_GRIDS) + 0.5 + rng.uniform(-0.15, 0.15, RURAL_GRIDS)) / RURAL_GRIDS
    radius = _outline_radius(theta, harmonics) * rng.uniform(0.52, 0.62, RURAL_GRIDS)
    return np.round(np.column_stack([radius * np.cos(theta), radius * np.sin(theta)]))


def _site(cells: np.ndarray, urban_seeds: np.ndarray, target: tuple[float, float], size: tuple[int, int],
          taken: list[int]) -> tuple[Polygon, int]:
    """An axis-aligned rectangle in the urban cell nearest to `target` that holds it with 40 m to spare
    (no sliver grids) and room for homes around it, inside the warp-free core (so it stays a rectangle).
    It sits at the centre of the cell's largest inscribed circle, on whole metres (exact noding)."""
    core = Point(0, 0).buffer(WARP_FREE_RADIUS - 10, quad_segs=32)
    order = np.argsort(np.hypot(*(urban_seeds - np.asarray(target)).T), kind="stable")
    for seed in order:
        room = cells[seed].intersection(core).buffer(-40)
        if seed in taken or room.is_empty or cells[seed].area - size[0] * size[1] < 80_000:
            continue
        cx, cy = np.round(shapely.maximum_inscribed_circle(room, 1.0).coords[0])
        rect = box(cx - size[0] / 2, cy - size[1] / 2, cx + size[0] / 2, cy + size[1] / 2)
        if room.contains(rect):
            return rect, int(seed)
    raise RuntimeError(f"demo town generator: no urban cell can hold a {size} rectangle")


def _estate(rect: Polygon, host: int, first: int) -> Estate:
    """The estate in `rect`: a level-1 grid (index `first`), one level-2 grid per building (three columns,
    two rows) and one level-3 grid per stairwell unit, each unit with its footprint."""
    x0, y0, x1, y1 = rect.bounds
    cy = (y0 + y1) / 2
    columns = [x0 + i * (x1 - x0) / 3 for i in range(4)]
    grids = [Grid(name=ESTATE_NAME, kind="comprehensive", level=1, setting="estate", seed=host)]
    paths = [LineString([(x0, cy), (x1, cy)])] + [LineString([(x, y0), (x, y1)]) for x in columns[1:3]]
    lines = list(paths)
    zones: list[tuple[Polygon, int]] = []
    units: list[EstateUnit] = []
    for number, unit_count in enumerate(ESTATE_UNITS, start=1):
        row, column = divmod(number - 1, 3)
        row_y0, row_y1 = (cy, y1) if row == 0 else (y0, cy)
        cell_x0, cell_x1 = columns[column], columns[column + 1]
        bx, by = (cell_x0 + cell_x1) / 2, (row_y0 + row_y1) / 2
        grids.append(Grid(name=f"{ESTATE_NAME}{number}栋", kind="comprehensive", level=2, setting="estate",
                          parent=first))
        building_index = first + len(grids) - 1
        cuts = [bx - unit_count * UNIT_WIDTH / 2 + k * UNIT_WIDTH for k in range(unit_count + 1)]
        lines.extend(LineString([(x, row_y0), (x, row_y1)]) for x in cuts[1:-1])
        edges = [cell_x0, *cuts[1:-1], cell_x1]
        for unit in range(unit_count):
            grids.append(Grid(name=f"{ESTATE_NAME}{number}栋{unit + 1}单元", kind="comprehensive", level=3,
                              setting="estate", parent=building_index))
            index = first + len(grids) - 1
            zones.append((box(edges[unit], row_y0, edges[unit + 1], row_y1), index))
            half_depth = BUILDING_DEPTH / 2
            footprint = box(cuts[unit] + 0.5, by - half_depth, cuts[unit + 1] - 0.5, by + half_depth)
            units.append(EstateUnit(number, unit + 1, footprint, index))
    return Estate(grids=grids, zones=zones, lines=lines, paths=paths, units=units)
