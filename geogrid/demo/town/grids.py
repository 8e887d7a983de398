"""A grid while the town is built (metres), and the questions later steps ask of the list of them.

The list is append-only and parents come before their children, so a grid's index is its identity: the
output specs refer to grids by index (`GridSpec.parent`, `BuildingSpec.grid`, ...).
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from shapely import Polygon


@dataclass(frozen=True)
class Grid:
    name: str | None
    kind: str
    level: int
    setting: str
    exclusive_type: str = ""
    parent: int | None = None
    seed: int | None = None  # the Voronoi seed a level-1 grid sits in (its community follows it)
    community: str = ""  # set by `areas.communities` (the second street's grids are born with it)
    geom: Polygon = field(default_factory=Polygon)  # empty until the partition has united its faces

    @property
    def is_rural(self) -> bool:
        return self.setting == "rural"


def level1(grids: Sequence[Grid]) -> list[int]:
    return [i for i, g in enumerate(grids) if g.level == 1]


def descendants(grids: Sequence[Grid], index: int) -> list[int]:
    """Children first, then their descendants, depth-first (the order the partition unites faces in)."""
    children = [i for i, g in enumerate(grids) if g.parent == index]
    return children + [d for child in children for d in descendants(grids, child)]


def in_community(grids: Sequence[Grid], members: Sequence[int], code: str) -> list[int]:
    return [i for i in members if grids[i].community == code]
