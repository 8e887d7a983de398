"""Step 10: the second street, built once the first is complete, with random streams of its own, so the
first street stays exactly as it was.

It borders the first street along the first street's own boundary vertices between STREET2_ARC_DEGREES
north and south of east, so the streets meet exactly, and is closed by straight lines. The community border
and two north-south cuts are its roads and split it into six urban grids, sized and staffed by the first
street's rules.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import shapely
from shapely import LineString, MultiPolygon, Polygon

from geogrid.demo.town.addresses import numbered
from geogrid.demo.town.buildings import Building, residents, urban_blocks
from geogrid.demo.town.constants import (COUNTY_CODE, STREET2_ARC_DEGREES, STREET2_CODE, STREET2_COMMUNITIES,
                                         STREET2_EAST, STREET2_EVENTS, STREET2_NAME, STREET2_POLICE, STREET2_ROADS,
                                         STREET_CODE)
from geogrid.demo.town.departments import drawn
from geogrid.demo.town.geometry import require, single_polygon, stream
from geogrid.demo.town.grids import Grid, in_community
from geogrid.demo.town.people import street2_staff
from geogrid.demo.town.specs import AreaSpec, BusinessGridSpec, DepartmentSpec, EventSpec, RoadSpec, StaffSpec
from geogrid.demo.town.tickets import events_in


class SecondStreet(NamedTuple):
    """What the second street adds to each of the town's lists (after the first street's)."""

    street: Polygon  # its outline, the union of its communities
    grids: list[Grid]
    roads: list[RoadSpec]
    buildings: list[Building]
    areas: list[AreaSpec]
    departments: list[DepartmentSpec]
    business_grids: list[BusinessGridSpec]
    staff: list[StaffSpec]
    events: list[EventSpec]


def second_street(seed: int, grids: Sequence[Grid], roads: Sequence[RoadSpec], river: LineString, street: Polygon,
                  earlier_staff: Sequence[StaffSpec]) -> SecondStreet:
    """The second street next to the first one (`grids`, `roads`, `river` and outline `street`, in metres);
    its grid indices continue the first street's."""
    arc = border_arc(street)
    (_, south), (_, north) = arc[0], arc[-1]
    middle = arc[int(np.argmin(np.abs(np.arctan2(arc[:, 1], arc[:, 0]))))]
    outline = Polygon([*arc, (STREET2_EAST, north), (STREET2_EAST, south)])
    require(outline.is_valid and outline.intersection(street).area < 1.0, "the second street overlaps the first")
    west = float(arc[:, 0].max()) + 200.0
    cuts = [west + (STREET2_EAST - west) * k / 3 for k in (1, 2)]
    border = LineString([middle, (STREET2_EAST, middle[1])])
    lines = [border, *(LineString([(x, south), (x, north)]) for x in cuts)]
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(shapely.union_all([outline.exterior, *lines]))))
    require(len(faces) == 6, "the second street is not six grids")
    mine: list[Grid] = []
    for code, is_north in zip((c for c, _ in STREET2_COMMUNITIES), (True, False)):
        half = [f for f in faces if (f.point_on_surface().y > middle[1]) == is_north]
        mine += [Grid(name=None, kind="comprehensive", level=1, setting="urban", community=code, geom=face)
                 for face in sorted(half, key=lambda f: f.centroid.x)]
    everything = [*grids, *mine]
    members = list(range(len(grids), len(everything)))
    own_roads = [RoadSpec(name=name, kind="secondary" if line is border else "residential", geom=line,
                          street_code=STREET2_CODE) for name, line in zip(STREET2_ROADS, lines)]
    reaching = [r.geom for r in roads if r.street_code == STREET_CODE and r.geom.intersects(outline)]
    built = _buildings(seed, everything, members, own_roads, shapely.union_all([*reaching, river]))
    counts = stream(seed, "street2-counts").multinomial(STREET2_EVENTS, np.full(len(members), 1 / len(members)))
    street2, areas = _areas(everything, members)
    return SecondStreet(
        street=street2, grids=mine, roads=own_roads, buildings=built, areas=areas,
        departments=[DepartmentSpec(code=STREET2_POLICE.code, name=STREET2_POLICE.name, tier="town",
                                    area_code=STREET2_CODE)],
        business_grids=drawn(stream(seed, "street2-departments"), everything, STREET2_POLICE,
                             [members[:3], members[3:]]),
        staff=street2_staff(stream(seed, "street2-staff"), everything, members, built,
                            [code for code, _ in STREET2_COMMUNITIES], STREET2_POLICE, earlier_staff),
        events=events_in(stream(seed, "street2-events"), everything, members, counts, built),
    )


def border_arc(street: Polygon) -> np.ndarray:
    """The first street's boundary vertices from STREET2_ARC_DEGREES south of east to as far north,
    south to north."""
    ring = np.asarray(shapely.orient_polygons(street).exterior.coords)[:-1]  # counter-clockwise
    bearing = np.degrees(np.arctan2(ring[:, 1], ring[:, 0]))
    start = int(np.argmin(np.abs(bearing + STREET2_ARC_DEGREES)))
    end = int(np.argmin(np.abs(bearing - STREET2_ARC_DEGREES)))
    order = np.roll(np.arange(len(ring)), -start)
    return ring[order[: (end - start) % len(ring) + 1]]


def _areas(grids: Sequence[Grid], members: Sequence[int]) -> tuple[Polygon, list[AreaSpec]]:
    """The street (the coverage union of its communities, as in the first street) and its area specs."""
    geoms = {code: single_polygon(shapely.coverage_union_all(
        [grids[i].geom for i in in_community(grids, members, code)]), name) for code, name in STREET2_COMMUNITIES}
    street = single_polygon(shapely.coverage_union_all(list(geoms.values())), STREET2_NAME)
    return street, [
        AreaSpec(code=STREET2_CODE, name=STREET2_NAME, kind="street", parent_code=COUNTY_CODE,
                 geom=MultiPolygon([street])),
        *(AreaSpec(code=code, name=name, kind="community", parent_code=STREET2_CODE,
                   geom=MultiPolygon([geoms[code]])) for code, name in STREET2_COMMUNITIES),
    ]


def _buildings(seed: int, grids: Sequence[Grid], members: Sequence[int], streets: Sequence[RoadSpec],
               avoid: shapely.Geometry) -> list[Building]:
    """Apartment blocks clear of the first street's roads and river where they run on into this street
    (`avoid`), numbered along this street's roads."""
    rng = stream(seed, "street2-buildings")
    built: list[Building] = []
    for index in members:
        built += urban_blocks(rng, grids[index].geom, index, int(rng.integers(200, 301)), avoid=avoid)
    return residents(rng, numbered(rng, built, streets, STREET2_NAME))
