"""Step 7: people and places. Grid staff by the seed's staffing rules, and the party-mass service stations."""
from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from shapely import Point, Polygon

from geogrid.demo.town.buildings import Building
from geogrid.demo.town.constants import (DEPARTMENTS, GIVEN_NAME_CHARS, STREET_NAME, SURNAMES, URBAN_COMMUNITIES,
                                         VILLAGES, DepartmentPlan)
from geogrid.demo.town.grids import Grid, descendants, in_community, level1
from geogrid.demo.town.specs import StaffSpec, StationSpec


class Roster:
    """Staff being hired: every new person gets a name and a mobile number nobody in the town has yet
    (including the staff hired before, passed as `earlier`), so the loader's unique phones hold."""

    def __init__(self, rng: np.random.Generator, earlier: Iterable[StaffSpec] = ()) -> None:
        self.rng = rng
        self.staff: list[StaffSpec] = []
        earlier = list(earlier)
        self.names = {s.name for s in earlier}
        self.phones = {s.phone for s in earlier}

    def add(self, role: str, grids: Iterable[int], post: str = "", department: str | None = None) -> None:
        name, phone = self._person()
        self.staff.append(StaffSpec(name=name, role=role, phone=phone, grids=tuple(grids), post=post,
                                    department_code=department))

    def _person(self) -> tuple[str, str]:
        rng = self.rng
        while True:
            given = "".join(rng.choice(list(GIVEN_NAME_CHARS), size=int(rng.choice([1, 2, 2]))))
            name = str(rng.choice(list(SURNAMES))) + given
            if name not in self.names:
                break
        while True:
            phone = f"{rng.choice(['13', '15', '18'])}{int(rng.integers(0, 10**9)):09d}"
            if phone not in self.phones:
                break
        self.names.add(name)
        self.phones.add(phone)
        return name, phone


def staff(rng: np.random.Generator, grids: Sequence[Grid], built: Sequence[Building],
          community_codes: Iterable[str]) -> list[StaffSpec]:
    """Per level-1 grid a 网格长 and about one 专职网格员 per 100 households (paired A/B posts), part-time
    workers in some grids, a 网格指导员 per community, department front-line staff serving several grids,
    and 联户长 for the estate's buildings and a few rural grids."""
    roster = Roster(rng)
    members = level1(grids)
    for index in members:
        grid_staff(roster, grids, built, index)
    for code in sorted(community_codes):
        roster.add("supervisor", in_community(grids, members, code))
    urban_codes = sorted(code for code, _ in URBAN_COMMUNITIES.values())
    for n, department in enumerate(DEPARTMENTS):
        for k in range(2):  # two front-line staff per department, each serving an urban community
            community = urban_codes[(2 * n + k) % len(urban_codes)]
            roster.add("department", in_community(grids, members, community), department=department.code)
    for index, grid in enumerate(grids):
        if grid.level == 2:
            roster.add("household_head", [index])
    for index in [i for i in members if grids[i].is_rural][:3]:
        for _ in range(3):
            roster.add("household_head", [index])
    return roster.staff


def street2_staff(rng: np.random.Generator, grids: Sequence[Grid], members: Sequence[int],
                  built: Sequence[Building], communities: Iterable[str], police: DepartmentPlan,
                  earlier: Iterable[StaffSpec]) -> list[StaffSpec]:
    """The second street's grids staffed by the first street's rules, a 网格指导员 and a police officer per
    community; nobody shares a name or phone with the `earlier` staff."""
    roster = Roster(rng, earlier)
    for index in members:
        grid_staff(roster, grids, built, index)
    for code in communities:
        mine = in_community(grids, members, code)
        roster.add("supervisor", mine)
        roster.add("department", mine, department=police.code)
    return roster.staff


def grid_staff(roster: Roster, grids: Sequence[Grid], built: Sequence[Building], index: int) -> None:
    """A level-1 grid's 网格长, full-time workers by its households (A/B posts) and part-time workers."""
    roster.add("leader", [index])
    if grids[index].kind == "exclusive":
        roster.add("part_time", [index])
        return
    below = {index, *descendants(grids, index)}
    workers = max(1, round(sum(b.households for b in built if b.grid in below) / 100))
    for n in range(workers):
        roster.add("full_time", [index], post="AB"[n % 2] if workers > 1 else "")
    for _ in range(int(roster.rng.integers(1, 3)) if grids[index].is_rural else int(roster.rng.random() < 0.5)):
        roster.add("part_time", [index])


def stations(grids: Sequence[Grid], built: Sequence[Building], office: int, community_geoms: dict[str, Polygon],
             community_names: dict[str, str], hamlets: dict[str, list[tuple[int, np.ndarray]]]) -> list[StationSpec]:
    """The street's 党群服务中心 in the office compound (building `office`) and a 网格党群服务站 in every urban
    community and in two villages, each in a real building (its point and address): in a village the home
    nearest its first hamlet, in a community the one nearest a point inside it."""
    compound = built[office]
    found = [StationSpec(
        kind="party_mass_centre", name=f"{STREET_NAME}党群服务中心", point=compound.footprint.point_on_surface(),
        address=compound.address, opening_hours="周一至周日 8:30-17:30（节假日有人值班）",
        community_code=grids[compound.grid].community,
    )]
    sites = [(code, community_geoms[code].point_on_surface()) for code, _ in sorted(URBAN_COMMUNITIES.values())]
    sites += [(code, Point(hamlets[code][0][1])) for code, _ in sorted(VILLAGES.values())[:2]]
    for code, near in sites:
        homes = [b for b in built if b.use in ("residential", "mixed") and grids[b.grid].community == code]
        home = min(homes, key=lambda b: b.footprint.distance(near))
        found.append(StationSpec(
            kind="grid_station", name=f"{community_names[code]}网格党群服务站",
            point=home.footprint.point_on_surface(), address=home.address,
            opening_hours="周一至周五 8:30-12:00，14:00-17:30", community_code=code,
        ))
    return found
