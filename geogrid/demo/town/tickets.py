"""Step 8: the demo's tickets (events) and the categories they use.

The categories are the product's default tree (`geogrid.events.defaults.CATEGORY_TREE`, installed for real
by the loader); only what is demo-specific lives here: for the leaves the demo reports, a description
template and how often each is reported in urban and in rural grids. The workflow history each ticket went
through is made by `geogrid.demo.tickets` when it is loaded.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import NamedTuple

import numpy as np
import shapely
from shapely import Point

from geogrid.demo.town.buildings import Building
from geogrid.demo.town.constants import EVENT_COUNT, EVENT_WINDOW_DAYS, REFERENCE_TIME
from geogrid.demo.town.geometry import require, sample_points
from geogrid.demo.town.grids import Grid
from geogrid.demo.town.specs import CategorySpec, EventSpec
from geogrid.events.category_tree import CATEGORY_TREE


class Report(NamedTuple):
    """How a leaf category is reported in the demo: {place} is an address."""

    template: str
    urban_weight: int
    rural_weight: int


REPORTS = {
    "0101": Report("{place}附近有生活垃圾堆放未及时清运，气味较大。", 9, 3),
    "0102": Report("{place}附近有流动摊贩占道经营，影响行人通行。", 7, 1),
    "0103": Report("{place}附近人行道上堆放建筑材料，占用通道。", 4, 2),
    "0201": Report("{place}附近墙面、电杆上张贴小广告。", 4, 1),
    "0301": Report("{place}附近机动车占用人行道停放。", 6, 1),
    "0302": Report("{place}附近有无照游商沿街叫卖。", 3, 1),
    "0401": Report("{place}附近工地夜间施工，噪音扰民。", 3, 1),
    "0402": Report("{place}附近路面破损坑洼，存在通行安全隐患。", 3, 3),
    "0501": Report("{place}附近强降雨后道路积水较深。", 2, 1),
    "0502": Report("{place}附近山体边坡出现裂缝，有滑坡风险。", 0, 3),
    "0601": Report("{place}住户之间因噪音、漏水等问题发生纠纷。", 3, 3),
    "0602": Report("{place}村民之间因土地边界发生争议。", 0, 3),
    "0701": Report("{place}附近消防通道被杂物、车辆堵塞。", 4, 1),
    "0702": Report("{place}楼道内有电动车飞线充电。", 4, 1),
}

# Event status by age: (max age in days, [(status, weight)]), the first matching bucket applies.
EVENT_STATUS_BY_AGE = (
    (2, (("reported", 35), ("accepted", 25), ("dispatched", 25), ("returned", 15))),
    (7, (("dispatched", 20), ("handling", 35), ("fed_back", 20), ("verifying", 15), ("closed", 10))),
    (20, (("handling", 15), ("fed_back", 10), ("verifying", 10), ("closed", 65))),
    (EVENT_WINDOW_DAYS, (("closed", 92), ("handling", 5), ("returned", 3))),
)


def reported_leaves() -> list[CategorySpec]:
    """The leaves the demo reports, in the default tree's order (the order the random choice indexes)."""
    leaves = [CategorySpec(code=leaf.code, name=leaf.name, parent_code=top.code)
              for top, children in CATEGORY_TREE for leaf in children if leaf.code in REPORTS]
    require(len(leaves) == len(REPORTS), "a demo report is not a leaf of the default category tree")
    return leaves


def categories() -> list[CategorySpec]:
    """The part of the default tree the demo's tickets use: their top classes, then their leaves."""
    leaves = reported_leaves()
    used = {leaf.parent_code for leaf in leaves}
    tops = [CategorySpec(code=top.code, name=top.name, parent_code=None)
            for top, _ in CATEGORY_TREE if top.code in used]
    return tops + leaves


def events(rng: np.random.Generator, grids: Sequence[Grid], built: Sequence[Building]) -> list[EventSpec]:
    """A few hundred events in the lowest-level grids over the EVENT_WINDOW_DAYS before REFERENCE_TIME,
    more in urban grids, fewer in the estate's units."""
    has_children = {g.parent for g in grids if g.parent is not None}
    targets = [i for i in range(len(grids)) if i not in has_children]
    weights = np.array([0.2 if grids[i].level == 3 else 1.5 if grids[i].is_rural else
                        2.0 if grids[i].kind == "exclusive" else 4.0 for i in targets])
    counts = rng.multinomial(EVENT_COUNT, weights / weights.sum())
    return events_in(rng, grids, targets, counts, built)


def events_in(rng: np.random.Generator, grids: Sequence[Grid], targets: Sequence[int], counts: Iterable[int],
              built: Sequence[Building]) -> list[EventSpec]:
    """`counts[k]` events in grid `targets[k]`, at points 3 m inside it (never on a boundary), each of a leaf
    category chosen by the grid's setting, described at the address of the nearest of the street's own
    buildings `built`, with a status that fits its age."""
    leaves = reported_leaves()
    reports = [REPORTS[leaf.code] for leaf in leaves]
    address_tree = shapely.STRtree([b.footprint for b in built])
    found = []
    for index, count in zip(targets, counts):
        if not count:
            continue
        rural = grids[index].is_rural
        choice = np.array([r.rural_weight if rural else r.urban_weight for r in reports], dtype=float)
        for xy in sample_points(rng, grids[index].geom.buffer(-3.0), int(count)):
            point = Point(xy)
            kind = int(rng.choice(len(leaves), p=choice / choice.sum()))
            place = built[int(address_tree.nearest(point))].address
            days = int(rng.integers(0, EVENT_WINDOW_DAYS))  # whole days before REFERENCE_TIME
            minutes = int(rng.integers(0, 14 * 60))  # between 07:00 and 21:00
            reported_at = REFERENCE_TIME - timedelta(days=days + 1) + timedelta(hours=7, minutes=minutes)
            statuses = next(s for limit, s in EVENT_STATUS_BY_AGE if days < limit)
            status_weights = np.array([w for _, w in statuses], dtype=float)
            found.append(EventSpec(
                point=point, category_code=leaves[kind].code, description=reports[kind].template.format(place=place),
                reported_at=reported_at, grid=index,
                status=statuses[int(rng.choice(len(statuses), p=status_weights / status_weights.sum()))][0],
            ))
    return found
