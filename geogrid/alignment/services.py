"""Auto-align (多网合一): each base grid goes to the business grid holding most of it; a business grid then
*is* its set of base grids, its geometry their exact union, so it stays aligned when base grids change.

`preview_alignment` says what applying would do (area change per business grid, households moving between
business grids, base grids needing a person's decision); `apply_alignment` writes it as a new generation of
the department's layer (old rows closed, never deleted: reversible); `follow_base_grids` keeps aligned
business grids on their base grids after a grid edit is approved.
"""
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db import connection, transaction

from geogrid.alignment.selectors import AlignmentReport, alignment_report, base_grids_of
from geogrid.core.api import DomainError
from geogrid.core.models import Generation
from geogrid.core.services import create_generation, retire
from geogrid.departments.models import BusinessGrid, Department
from geogrid.grids.models import Grid


class AlignmentError(DomainError, ValueError):
    """Auto-align cannot be applied as asked (400 with `code`); the message says why."""

    code = "alignment_refused"


@dataclass
class GridChange:
    code: str
    name: str
    area_before_m2: float
    area_after_m2: float
    base_grids: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "area_before_m2": round(self.area_before_m2, 1),
                "area_after_m2": round(self.area_after_m2, 1),
                "area_change_m2": round(self.area_after_m2 - self.area_before_m2, 1), "base_grids": self.base_grids}


@dataclass
class AlignmentPreview:
    report: AlignmentReport
    assignment: dict[str, str]  # base code -> business code, decisions applied
    changes: list[GridChange]
    moves: list[dict[str, Any]]  # {"from", "to", "households", "buildings"}
    undecided: list[dict[str, Any]]  # low-share base grids nobody decided on
    unassigned: list[str] = field(default_factory=list)  # base grids no business grid holds

    def as_json(self) -> dict[str, Any]:
        return {"department": self.report.department.code, "assignment": self.assignment,
                "changes": [c.as_dict() for c in self.changes], "moves": self.moves,
                "undecided": self.undecided, "unassigned": self.unassigned}


def preview_alignment(*, department: Department, decisions: dict[str, str | None] | None = None,
                      **overrides: float) -> AlignmentPreview:
    """What auto-align would do. `decisions` (base code -> business code, or None to leave it out) settle
    the low-share base grids the report lists; the rest follow the majority."""
    decisions = decisions or {}
    report = alignment_report(department, **overrides)
    codes = {g.code for g in report.grids}
    unknown = sorted({c for c in decisions.values() if c is not None} - codes)
    if unknown:
        raise AlignmentError(f"没有业务网格 {'、'.join(unknown)} / unknown business grids",
                             code="unknown_business_grid", field="decisions")
    assignment = {b: g for b, g in {**report.assignment, **decisions}.items() if g is not None}
    undecided = [{"base_code": code, "business_code": g.code, "share": s.share}
                 for g in report.grids for s in g.shares for code in g.low_share
                 if s.base_code == code and code not in decisions]
    changes = []
    for grid in report.grids:
        members = sorted(b for b, g in assignment.items() if g == grid.code)
        after = sum(report.base_areas[m] for m in members)
        changes.append(GridChange(grid.code, grid.name, grid.area_m2, after, members))
    unassigned = sorted(set(report.base_areas) - set(assignment))
    return AlignmentPreview(report, assignment, changes, _moves(department, assignment), undecided, unassigned)


def _moves(department: Department, assignment: dict[str, str]) -> list[dict[str, Any]]:
    """Households whose business grid changes: before by the drawn boundary holding the building's point
    (the lowest code where drawn grids overlap), after by the business grid its base grid goes to."""
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT b.households, g.code, (SELECT bg.code FROM departments_businessgrid bg
                                          WHERE bg.department_id = %s AND bg.generation_high_id IS NULL
                                            AND ST_Covers(bg.geom, b.point) ORDER BY bg.code LIMIT 1)
            FROM buildings_building b JOIN grids_grid g ON g.id = b.grid_l1_id
        """, [department.pk])
        rows = cursor.fetchall()
    households: Counter = Counter()
    buildings: Counter = Counter()
    for count, base_code, before in rows:
        after = assignment.get(base_code)
        if after != before and (after or before):
            households[(before, after)] += count
            buildings[(before, after)] += 1
    return [{"from": a, "to": b, "households": households[(a, b)], "buildings": buildings[(a, b)]}
            for a, b in sorted(households, key=lambda k: (str(k[0]), str(k[1])))]


def apply_alignment(*, department: Department, user: User | None, decisions: dict[str, str | None] | None = None,
                    accept_low_share: bool = False, **overrides: float) -> Generation | None:
    """Apply auto-align as a new generation of the department's layer; None (nothing written) when the layer
    is aligned as it would be already. Refused while low-share base grids are undecided, unless
    `accept_low_share` takes the majority for them too."""
    with transaction.atomic():
        Department.objects.select_for_update().get(pk=department.pk)  # one alignment at a time
        preview = preview_alignment(department=department, decisions=decisions, **overrides)
        if preview.undecided and not accept_low_share:
            listed = "、".join(f"{u['base_code']}（{u['business_code']} {u['share']:.0%}）" for u in preview.undecided)
            raise AlignmentError(f"以下基础网格归属不明确，需人工确定：{listed} / decide these base grids first",
                                 code="undecided", field="decisions")
        current = list(BusinessGrid.objects.current().filter(department=department).prefetch_related("base_grids"))
        base_ids = dict(base_grids_of(department).values_list("code", "id"))
        members = {old.pk: [base_ids[c] for c, g in preview.assignment.items() if g == old.code] for old in current}
        if all(old.source == BusinessGrid.Source.BASE_UNITS and {g.pk for g in old.base_grids.all()} == set(members[old.pk])
               for old in current):
            return None  # already aligned: no new generation, no audit rows
        generation = create_generation(f"多网合一：{department.name}业务网格按基础网格对齐", user)
        retire(BusinessGrid.objects.filter(pk__in=[b.pk for b in current]), generation)
        _new_versions([(old, members[old.pk]) for old in current if members[old.pk]], generation)
        return generation


def _new_versions(grids: list[tuple[BusinessGrid, list[int]]], generation: Generation) -> list[BusinessGrid]:
    """Business grids as the exact unions (in PostGIS, of the stored geometries) of their base grids, all in
    one statement, and their base-grid links in one more."""
    owners = [i for i, (_, ids) in enumerate(grids) for _ in ids]
    members = [grid_id for _, ids in grids for grid_id in ids]
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT m.owner, ST_Multi(ST_Union(g.geom))
            FROM unnest(%s::int[], %s::bigint[]) AS m(owner, grid_id) JOIN grids_grid g ON g.id = m.grid_id
            GROUP BY m.owner ORDER BY m.owner
        """, [owners, members])
        unions = dict(cursor.fetchall())
    created = BusinessGrid.objects.bulk_create([
        BusinessGrid(department=old.department, code=old.code, name=old.name, geom=unions[i],
                     source=BusinessGrid.Source.BASE_UNITS, generation_low=generation)
        for i, (old, _) in enumerate(grids)])
    links = BusinessGrid.base_grids.through
    links.objects.bulk_create([links(businessgrid_id=new.pk, grid_id=grid_id)
                               for new, (_, ids) in zip(created, grids) for grid_id in ids])
    return created


def follow_base_grids(generation: Generation, origins: dict[int, int]) -> list[str]:
    """After an approved grid edit (`generation`): aligned business grids drop retired base grids, take the
    grids that replaced them (`origins`: new grid id -> the old grid id it came from), and get a new
    version whose geometry is the union of their current base grids. Returns the codes that changed."""
    followed = []
    current_base = set(Grid.objects.current().values_list("id", flat=True))
    aligned = BusinessGrid.objects.current().filter(source=BusinessGrid.Source.BASE_UNITS).prefetch_related("base_grids")
    for business in aligned:
        members = {g.pk for g in business.base_grids.all()}
        new = members | {new_id for new_id, old_id in origins.items() if old_id in members}
        new &= current_base
        if new == members:
            continue
        retire(BusinessGrid.objects.filter(pk=business.pk), generation)
        if new:
            _new_versions([(business, sorted(new))], generation)
        followed.append(f"{business.department.code}:{business.code}")
    return followed

