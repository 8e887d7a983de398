"""Step 6: addresses. Urban buildings and facilities get the nearest street and a house number (rural
houses and the estate's units were addressed when built: 组 and 栋/单元 numbers)."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import shapely
from shapely import Point

from geogrid.demo.town.buildings import Building
from geogrid.demo.town.constants import FACILITIES, STREET_NAME
from geogrid.demo.town.specs import RoadSpec


def house_numbers(rng: np.random.Generator, streets: Sequence[RoadSpec], points: Sequence[Point],
                  prefix: str) -> list[str]:
    """An address for each point: the nearest street and a house number. Numbers grow along the street, odd
    on the left and even on the right, with gaps as in real numbering."""
    nearest = shapely.STRtree([r.geom for r in streets]).nearest(points)
    numbers: list[str] = [""] * len(points)
    for road in sorted(set(nearest.tolist())):
        line = streets[road].geom
        members = [i for i in range(len(points)) if nearest[i] == road]
        along = [line.project(points[i]) for i in members]
        counters = {True: -1, False: 0}
        for i, t in sorted(zip(members, along), key=lambda m: m[1]):
            a, b = line.interpolate(t), line.interpolate(min(t + 1.0, line.length))
            left = (b.x - a.x) * (points[i].y - a.y) - (b.y - a.y) * (points[i].x - a.x) > 0
            counters[left] += 2 * int(rng.integers(1, 4))
            numbers[i] = f"{prefix}{streets[road].name}{counters[left]}号"
    return numbers


def addresses(rng: np.random.Generator, built: Sequence[Building], roads: Sequence[RoadSpec],
              facility_buildings: Sequence[Sequence[int]]) -> list[Building]:
    """The buildings, each without an address given one: an urban building its own house number, a facility's
    buildings the number of the facility (at its first building) followed by the facility and building name."""
    streets = [r for r in roads if r.kind in ("primary", "secondary", "residential")]
    in_facility = {i for indices in facility_buildings for i in indices}
    targets = [i for i, b in enumerate(built) if not b.address and i not in in_facility]
    points = [built[i].footprint.centroid for i in targets]
    points += [built[indices[0]].footprint.centroid for indices in facility_buildings]
    numbers = house_numbers(rng, streets, points, STREET_NAME)
    named = {i: number for i, number in zip(targets, numbers)}
    for facility, indices, number in zip(FACILITIES, facility_buildings, numbers[len(targets):]):
        for index, spec in zip(indices, facility.buildings):
            named[index] = f"{number}{facility.name}{spec.label}"
    return [replace(b, address=named[i]) if i in named else b for i, b in enumerate(built)]


def numbered(rng: np.random.Generator, built: Sequence[Building], streets: Sequence[RoadSpec],
             prefix: str) -> list[Building]:
    """Every building numbered along the given streets (the second street's blocks)."""
    numbers = house_numbers(rng, streets, [b.footprint.centroid for b in built], prefix)
    return [replace(b, address=number) for b, number in zip(built, numbers)]
