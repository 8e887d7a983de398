"""网格划分平面图: what a printed plan of one community's grids shows.

Seed 004 asks each community to draw "网格划分组织结构图和平面图": the grids with their codes on a map, and
beside it who serves each grid. This module gathers exactly that (grids of every level, roads, water and
building outlines for orientation, and a legend row a grid), as GeoJSON for the print page.
"""
import json
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.ops import polylabel

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from geogrid.accounts.selectors import can_see_personal_data
from geogrid.areas.models import Area
from geogrid.areas.selectors import surroundings
from geogrid.core.masking import mask_phone
from geogrid.grids.models import Grid
from geogrid.staff.models import StaffMember


@dataclass
class LegendRow:
    """A level-1 grid: its people (网格长 with phone, 网格员 by name) and how many finer grids it holds."""

    code: str
    short_code: str
    name: str
    households: int
    population: int
    leader: str
    workers: str
    finer: int


@dataclass
class Plan:
    community: Area
    grids: dict[str, Any]
    context: dict[str, Any]  # roads, water and buildings as GeoJSON FeatureCollections
    legend: list[LegendRow]
    counts: dict[int, int]  # grids by level

    def map_data(self) -> dict[str, Any]:
        return {"grids": self.grids, **self.context}


def _collection(rows: QuerySet, geometry: str, properties) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": json.loads(getattr(row, geometry).geojson), "properties": properties(row)}
        for row in rows if getattr(row, geometry) is not None]}


def _label_point(grid: Grid) -> list[float]:
    """Where the code label goes: the pole of inaccessibility of the largest part, so a label stays inside
    its grid even when the grid wraps around another (a bounding-box centre would not)."""
    largest = max(shapely.get_parts(shapely.from_wkb(bytes(grid.geom.wkb))), key=lambda p: p.area)
    point = polylabel(largest, tolerance=1e-6)
    return [point.y, point.x]


def community_plan(community: Area, user: User | AnonymousUser) -> Plan:
    """The plan of a community's current grids; phones in full only for users whose area covers it."""
    grids = list(Grid.objects.current().filter(community=community).prefetch_related("staff").order_by("level", "code"))
    phones = can_see_personal_data(user, community.code)
    legend = []
    for grid in (g for g in grids if g.level == Grid.Level.ONE):
        staff = sorted(grid.staff.all(), key=lambda m: StaffMember.ROLE_ORDER.index(m.role))
        leaders = [f"{m.name} {m.phone if phones else mask_phone(m.phone)}".strip()
                   for m in staff if m.role == StaffMember.Role.LEADER]
        workers = [m.name for m in staff if m.role in (StaffMember.Role.FULL_TIME, StaffMember.Role.PART_TIME)]
        finer = sum(1 for g in grids if g.code.startswith(grid.code) and g.level > grid.level)
        legend.append(LegendRow(grid.code, grid.code[len(community.code):], grid.name, grid.household_count,
                                grid.population, "、".join(leaders), "、".join(workers), finer))
    counts = {level: sum(1 for g in grids if g.level == level) for level in Grid.Level.values}
    context = surroundings(community)
    features = _collection(grids, "geom", lambda g: {
        "code": g.code, "short_code": g.code[len(community.code):], "name": g.name, "level": g.level,
        "label_at": _label_point(g) if g.level == Grid.Level.ONE else None})
    return Plan(community, features, context, legend, counts)
