"""Point lookup: which street, community, grids, business grids and staff a point belongs to.

The fast path tests the point against `GridPart` (current grids cut by ST_Subdivide into pieces of at most
64 vertices), so no large polygon is decompressed for an interior point; only a point lying exactly on a
piece's edge falls back to the whole grid to tell a real boundary from a subdivision cut.

Boundary rule (documented in the README): a point on a boundary shared by two grids of the same level
belongs to the one with the lowest code, and the answer says ``on_boundary: true``.
"""
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser, User
from django.contrib.gis.geos import Point
from django.db import connection

from geogrid.accounts.selectors import can_see_personal_data
from geogrid.areas.models import Area
from geogrid.core.masking import mask_phone
from geogrid.departments.models import BusinessGrid
from geogrid.grids.models import Grid
from geogrid.staff.models import StaffMember

GRID_HITS_SQL = """
WITH pt AS (SELECT ST_SetSRID(ST_MakePoint(%s, %s), 4490) AS g),
hits AS (
    SELECT p.grid_id, bool_or(ST_Contains(p.geom, pt.g)) AS interior
    FROM grids_gridpart p, pt
    WHERE ST_Intersects(p.geom, pt.g)
    GROUP BY p.grid_id
)
SELECT g.id, g.level, CASE WHEN h.interior THEN false ELSE NOT ST_Contains(g.geom, pt.g) END AS on_boundary
FROM hits h JOIN grids_grid g ON g.id = h.grid_id, pt
ORDER BY g.level, g.code
"""

NEAREST_GRID_SQL = """
WITH pt AS (SELECT ST_SetSRID(ST_MakePoint(%s, %s), 4490) AS g)
SELECT p.grid_id, ST_Distance(p.geom::geography, pt.g::geography)
FROM grids_gridpart p, pt
ORDER BY p.geom <-> pt.g
LIMIT 1
"""


@dataclass
class Location:
    """The answer of a point lookup."""

    point: Point
    grids: list[Grid] = field(default_factory=list)  # lowest level first
    on_boundary: bool = False
    community: Area | None = None
    street: Area | None = None
    business_grids: list[BusinessGrid] = field(default_factory=list)
    staff: list[StaffMember] = field(default_factory=list)
    nearest_grid: Grid | None = None
    nearest_distance_m: float | None = None

    @property
    def covered(self) -> bool:
        return bool(self.grids)


def grids_at(point: Point) -> tuple[list[Grid], bool]:
    """Current grids covering the point, one per level (lowest code on a shared boundary), lowest level
    first, and whether the point lies on a grid boundary."""
    with connection.cursor() as cursor:
        cursor.execute(GRID_HITS_SQL, [point.x, point.y])
        rows = cursor.fetchall()
    chosen: dict[int, int] = {}
    on_boundary = False
    for grid_id, level, boundary in rows:
        if level in chosen:
            on_boundary = True  # a second grid of the same level covers the point: a shared boundary
            continue
        chosen[level] = grid_id
        on_boundary = on_boundary or boundary
    by_id = Grid.objects.select_related("community__parent").in_bulk(chosen.values())
    grids = [by_id[chosen[level]] for level in sorted(chosen, reverse=True)]
    return grids, on_boundary


def nearest_grid(point: Point) -> tuple[Grid | None, float | None]:
    """The nearest current grid and its distance in metres (geodesic)."""
    with connection.cursor() as cursor:
        cursor.execute(NEAREST_GRID_SQL, [point.x, point.y])
        row = cursor.fetchone()
    if row is None:
        return None, None
    return Grid.objects.get(pk=row[0]), round(row[1], 1)


def staff_of(grids: list[Grid]) -> list[StaffMember]:
    """Staff serving these grids, in role order (网格长 first)."""
    members = StaffMember.objects.filter(grids__in=grids).distinct()
    order = {role: i for i, role in enumerate(StaffMember.ROLE_ORDER)}
    return sorted(members, key=lambda m: (order.get(m.role, 99), m.post, m.name))


def locate(point: Point) -> Location:
    """Everything GeoGrid knows about a point in CGCS2000."""
    grids, on_boundary = grids_at(point)
    location = Location(point=point, grids=grids, on_boundary=on_boundary)
    if grids:
        location.community = grids[-1].community
    else:
        location.community = Area.objects.communities().filter(geom__covers=point).first()
        location.nearest_grid, location.nearest_distance_m = nearest_grid(point)
    if location.community is not None:
        location.street = location.community.parent
    else:
        location.street = Area.objects.streets().filter(geom__covers=point).first()
    location.business_grids = list(
        BusinessGrid.objects.current().filter(geom__covers=point).select_related("department").order_by(
            "department__code", "code"
        )
    )
    location.staff = staff_of(grids)
    return location


def staff_card(member: StaffMember, user: User | AnonymousUser, community: Area | None) -> dict:
    """One staff entry as a caller may see it: phone masked unless the caller's scope covers the place."""
    visible = community is not None and can_see_personal_data(user, community)
    return {
        "role": member.get_role_display(),
        "name": member.name,
        "phone": member.phone if visible else mask_phone(member.phone),
        "post": member.post,
    }
