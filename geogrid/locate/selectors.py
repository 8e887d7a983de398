"""Point lookup: which street, community, grids, business grids and staff a point belongs to.

The fast path tests the point against `GridPart` (current grids cut by ST_Subdivide into pieces of at most
64 vertices), so no large polygon is decompressed for an interior point; only a point lying exactly on a
piece's edge falls back to the whole grid to tell a real boundary from a subdivision cut. The answer takes
three small queries (grids with their areas, business grids, staff) and builds no model instances: a lookup
is the hot path of event routing.

Boundary rule (documented in the README): a point on a boundary shared by grids of the same level belongs to
the finest grid with the lowest code, and above it to that grid's own parent chain (so the answer never
mixes a grid with another grid's child); the answer says ``on_boundary: true``.
"""
from dataclasses import dataclass, field, replace

from django.contrib.auth.models import AnonymousUser, User

from django.contrib.gis.geos import Point
from django.db import connection

from geogrid.accounts.selectors import can_see_personal_data
from geogrid.areas.models import Area
from geogrid.core.masking import mask_name, mask_phone
from geogrid.grids.models import Grid
from geogrid.staff.models import StaffMember

POINT = "ST_SetSRID(ST_MakePoint(%(x)s, %(y)s), 4490)"

GRID_HITS_SQL = f"""
SELECT g.id, g.code, g.name, g.level, g.kind, g.household_count, g.population,
       c.id, c.code, c.name, s.id, s.code, s.name, ST_Contains(p.geom, {POINT}) AS interior, g.parent_id
FROM grids_gridpart p
JOIN grids_grid g ON g.id = p.grid_id
JOIN areas_area c ON c.id = g.community_id
LEFT JOIN areas_area s ON s.id = c.parent_id
WHERE ST_Intersects(p.geom, {POINT})
ORDER BY g.level DESC, g.code
"""

INSIDE_GRID_SQL = f"SELECT ST_Contains(geom, {POINT}) FROM grids_grid WHERE id = %(id)s"

BUSINESS_GRIDS_SQL = f"""
SELECT b.id, d.code, d.name, b.code, b.name
FROM departments_businessgrid b JOIN departments_department d ON d.id = b.department_id
WHERE b.generation_high_id IS NULL AND ST_Covers(b.geom, {POINT})
ORDER BY d.code, b.code
"""

STAFF_SQL = """
SELECT DISTINCT m.id, m.name, m.role, m.phone, m.post
FROM staff_staffmember m JOIN staff_staffmember_grids mg ON mg.staffmember_id = m.id
WHERE mg.grid_id = ANY(%(grid_ids)s)
"""

# `<->` orders by planar distance in degrees, which stretches east-west distances; the ten nearest
# candidates are re-ranked on the ellipsoid.
NEAREST_GRID_SQL = f"""
SELECT grid_id, ST_Distance(geom::geography, {POINT}::geography) AS metres
FROM (SELECT grid_id, geom FROM grids_gridpart ORDER BY geom <-> {POINT} LIMIT 10) candidates
ORDER BY metres, grid_id
LIMIT 1
"""


@dataclass(frozen=True)
class AreaRef:
    id: int
    code: str
    name: str


@dataclass(frozen=True)
class GridRef:
    id: int
    code: str
    name: str
    level: int
    kind: str
    household_count: int
    population: int
    community: AreaRef
    street: AreaRef | None


@dataclass(frozen=True)
class BusinessGridRef:
    id: int
    department_code: str
    department_name: str
    code: str
    name: str


@dataclass(frozen=True)
class StaffRef:
    id: int
    name: str
    role: str
    phone: str
    post: str

    @property
    def role_label(self) -> str:
        return StaffMember.Role(self.role).label


@dataclass
class Location:
    """The answer of a point lookup."""

    point: Point
    grids: list[GridRef] = field(default_factory=list)  # finest level first
    on_boundary: bool = False
    community: AreaRef | None = None
    street: AreaRef | None = None
    business_grids: list[BusinessGridRef] = field(default_factory=list)
    staff: list[StaffRef] = field(default_factory=list)
    nearest_grid: Grid | None = None
    nearest_distance_m: float | None = None

    @property
    def covered(self) -> bool:
        return bool(self.grids)


def _fetch(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _xy(point: Point) -> dict:
    return {"x": point.x, "y": point.y}


def grid_refs_at(point: Point) -> tuple[list[GridRef], bool]:
    """Current grids covering the point, one per level (see the boundary rule above), finest level first,
    and whether the point lies on a grid boundary."""
    refs: dict[int, GridRef] = {}
    parents: dict[int, int | None] = {}
    interior: dict[int, bool] = {}
    for row in _fetch(GRID_HITS_SQL, _xy(point)):  # finest level first, lowest code first
        grid_id = row[0]
        interior[grid_id] = interior.get(grid_id, False) or row[13]
        if grid_id not in refs:
            street = AreaRef(*row[10:13]) if row[10] is not None else None
            refs[grid_id] = GridRef(*row[:7], community=AreaRef(*row[7:10]), street=street)
            parents[grid_id] = row[14]
    if not refs:
        return [], False
    chain = [next(iter(refs.values()))]
    while parents[chain[-1].id] is not None:
        parent = refs.get(parents[chain[-1].id])
        if parent is None:  # not covering the point: only possible within the containment tolerance
            break
        chain.append(parent)
    shared = len(refs) > len(chain)  # another grid of some level covers the point too: a shared boundary
    on_boundary = shared or any(not interior[g.id] and not _inside_whole_grid(point, g.id) for g in chain)
    return chain, on_boundary


def _inside_whole_grid(point: Point, grid_id: int) -> bool:
    """The rare slow path: a point on a piece's edge is inside the grid unless that edge is a real boundary."""
    return bool(_fetch(INSIDE_GRID_SQL, {**_xy(point), "id": grid_id})[0][0])


def nearest_grid(point: Point) -> tuple[Grid | None, float | None]:
    """The nearest current grid and its distance in metres (on the ellipsoid)."""
    rows = _fetch(NEAREST_GRID_SQL, _xy(point))
    if not rows:
        return None, None
    return Grid.objects.get(pk=rows[0][0]), round(rows[0][1], 1)


def business_grids_at(point: Point) -> list[BusinessGridRef]:
    """Current business grids of every department covering the point."""
    return [BusinessGridRef(*row) for row in _fetch(BUSINESS_GRIDS_SQL, _xy(point))]


def staff_of(grid_ids: list[int]) -> list[StaffRef]:
    """Staff serving these grids, in role order (网格长 first), then A/B post and name."""
    if not grid_ids:
        return []
    order = {role: i for i, role in enumerate(StaffMember.ROLE_ORDER)}
    members = [StaffRef(*row) for row in _fetch(STAFF_SQL, {"grid_ids": grid_ids})]
    return sorted(members, key=lambda m: (order.get(m.role, 99), m.post, m.name))


def _area_covering(areas, point: Point) -> AreaRef | None:
    area = areas.filter(geom__covers=point).only("id", "code", "name").first()
    return None if area is None else AreaRef(area.id, area.code, area.name)


def locate(point: Point) -> Location:
    """Everything GeoGrid knows about a point in CGCS2000."""
    grids, on_boundary = grid_refs_at(point)
    location = Location(point=point, grids=grids, on_boundary=on_boundary)
    if grids:
        location.community, location.street = grids[0].community, grids[0].street
    else:  # outside every grid: the slow path through the area polygons themselves
        location.community = _area_covering(Area.objects.communities(), point)
        location.street = _area_covering(Area.objects.streets(), point)
        location.nearest_grid, location.nearest_distance_m = nearest_grid(point)
    location.business_grids = business_grids_at(point)
    location.staff = staff_of([g.id for g in grids])
    return location


def staff_as_seen_by(location: Location, user: User | AnonymousUser) -> list[StaffRef]:
    """The location's staff as this user may see them: phones masked unless the user's scope covers the
    place; for anonymous callers the names of 联户长 too, who are residents, not officials."""
    if location.community is not None and can_see_personal_data(user, location.community.code):
        return location.staff
    return [
        replace(m, phone=mask_phone(m.phone),
                name=mask_name(m.name) if not user.is_authenticated and m.role == StaffMember.Role.HOUSEHOLD_HEAD
                else m.name)
        for m in location.staff
    ]
