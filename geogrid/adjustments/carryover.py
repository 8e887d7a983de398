"""What an edit carries from the grids it replaces to the grids it writes, so nothing is silently lost: staff
(网格力量), child grids and business-grid links; and what each affected grid gains and loses (people, households,
rule violations), shown on the approval page before anyone approves.

The rules (computed at submission for the preview, applied at approval):
- Staff go to the grid's successor: the new version of the same code, or, for a grid the edit removes (merged
  into a neighbour, drawn over), the new grid holding most of its area. Roles are kept: nobody is demoted by an
  edit (a role is the person's, across every grid they serve), so a merge of two grids with a 网格长 each gives one
  grid two 网格长, flagged as a violation for the clerk to settle. The new parts of a split start without staff:
  flagged "无网格员".
- A restore gives each restored grid the staff it had in that version (recorded, when a request retired it, in
  that request's `carryover`; else the old row's own links), and anyone else on the replaced grids goes to the
  successor as above.
- Child grids (the level below) are re-parented to the new grid holding most of their area.
- A business grid's link to a replaced grid moves to its successor and to every new grid lying mostly inside
  the business grid's old footprint; a restore takes the business grid's membership in the restored version.
  When the business grid's footprint changes by more than `REALIGN_M2`, it is flagged for re-alignment.
"""
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geogrid.adjustments.models import ChangeRequest
from geogrid.adjustments.selectors import as_shapely, current_grids, grids_at, statistics
from geogrid.areas.models import Area
from geogrid.core.crs import to_area_crs
from geogrid.core.models import Generation
from geogrid.departments.models import BusinessGrid
from geogrid.grids.models import Grid
from geogrid.staff.models import StaffMember

REALIGN_M2 = 1.0  # a business grid whose footprint changes by more than this (m²) is flagged for re-alignment
WORKERS = (StaffMember.Role.FULL_TIME, StaffMember.Role.PART_TIME)


@dataclass
class Plan:
    """Where everything on the replaced grids goes; codes are the proposal's (new grids still provisional)."""

    staff: dict[str, list[int]] = field(default_factory=dict)  # proposal code -> staff member ids after the edit
    staff_origin: dict[int, str] = field(default_factory=dict)  # staff id -> where they come from (a code, or 恢复)
    children: dict[int, str] = field(default_factory=dict)  # child grid id -> proposal code of its new parent
    crossing: dict[int, str] = field(default_factory=dict)  # child grid id -> its code, when it crosses a new edge
    business: dict[int, list[str]] = field(default_factory=dict)  # business grid id -> proposal codes it takes
    realign: dict[int, float] = field(default_factory=dict)  # business grid id -> m² its footprint changes
    retired_staff: dict[str, list[int]] = field(default_factory=dict)  # replaced row id -> its staff ids


def _most(geom: BaseGeometry, candidates: Mapping[str, BaseGeometry]) -> str:
    """The candidate code holding most of `geom`."""
    return max(sorted(candidates), key=lambda c: candidates[c].intersection(geom).area)


def _metres(grid: Grid) -> BaseGeometry:
    return to_area_crs(as_shapely(grid.geom))


def plan(*, community: Area, level: int, partition: Mapping[str, BaseGeometry], changed: list[str],
         removed: list[str], restored_from: Generation | None = None) -> Plan:
    """The carry-over of an edit of the community's grids of `level` to `partition` (metres)."""
    rows = {g.code: g for g in current_grids(community, level).prefetch_related("staff")}
    replaced = [rows[c] for c in changed + removed if c in rows]
    written = {c: partition[c] for c in changed}
    result = Plan()
    if not written:
        return result
    geoms = {g.code: _metres(g) for g in replaced}
    successor = {g.code: g.code if g.code in written else _most(geoms[g.code], written) for g in replaced}
    _plan_staff(result, community, level, replaced, successor, written, restored_from)
    for child in Grid.objects.current().filter(parent__in=replaced, level=level + 1):
        shape = _metres(child)
        target = _most(shape, written)
        result.children[child.pk] = target
        if written[target].intersection(shape).area < shape.area * 0.999:
            result.crossing[child.pk] = child.code
    _plan_business(result, community, level, replaced, successor, written, geoms, restored_from)
    return result


def _plan_staff(result: Plan, community: Area, level: int, replaced: list[Grid], successor: dict[str, str],
                written: Mapping[str, BaseGeometry], restored_from: Generation | None) -> None:
    result.retired_staff = {str(g.pk): sorted(m.pk for m in g.staff.all()) for g in replaced}
    past = _past_staff(community, level, restored_from, list(written)) if restored_from else {}
    claimed = {pk for ids in past.values() for pk in ids}
    result.staff = {code: list(past.get(code, [])) for code in written}
    result.staff_origin = dict.fromkeys(claimed, "恢复")
    for grid in replaced:
        for member in grid.staff.all():
            target = result.staff[successor[grid.code]]
            if member.pk not in claimed and member.pk not in target:
                target.append(member.pk)
                result.staff_origin.setdefault(member.pk, grid.code)


def _past_staff(community: Area, level: int, generation: Generation, codes: list[str]) -> dict[str, list[int]]:
    """The staff each grid had in a past version: what the request that retired its row recorded, else the row's
    own links (people deleted since are left out)."""
    past = {}
    for row in grids_at(community, generation.pk, level).filter(code__in=codes).prefetch_related("staff"):
        record = (ChangeRequest.objects.filter(community=community, carryover__retired_staff__has_key=str(row.pk))
                  .values_list("carryover", flat=True).first())
        past[row.code] = record["retired_staff"][str(row.pk)] if record else [m.pk for m in row.staff.all()]
    existing = set(StaffMember.objects.filter(pk__in=[pk for ids in past.values() for pk in ids])
                   .values_list("pk", flat=True))
    return {code: [pk for pk in ids if pk in existing] for code, ids in past.items()}


def _plan_business(result: Plan, community: Area, level: int, replaced: list[Grid], successor: dict[str, str],
                   written: Mapping[str, BaseGeometry], geoms: dict[str, BaseGeometry],
                   restored_from: Generation | None) -> None:
    replaced_ids = {g.pk: g.code for g in replaced}
    linked = BusinessGrid.objects.current().filter(base_grids__in=replaced).distinct().prefetch_related("base_grids")
    for business in linked:
        lost = [replaced_ids[g.pk] for g in business.base_grids.all() if g.pk in replaced_ids]
        footprint = shapely.union_all([geoms[c] for c in lost])
        targets = _past_members(business, community, level, restored_from, written) if restored_from else set()
        if not targets:
            targets = {successor[c] for c in lost} | {
                c for c, geom in written.items() if geom.intersection(footprint).area >= 0.5 * geom.area}
        result.business[business.pk] = sorted(targets)
        change = shapely.union_all([written[c] for c in targets]).symmetric_difference(footprint).area
        if change > REALIGN_M2:
            result.realign[business.pk] = change


def _past_members(business: BusinessGrid, community: Area, level: int, generation: Generation,
                  written: Mapping[str, BaseGeometry]) -> set[str]:
    """The written codes a business grid covered in a past version (none when it did not exist then)."""
    past = BusinessGrid.objects.at(generation.pk).filter(department=business.department_id, code=business.code).first()
    if past is None:
        return set()
    return set(past.base_grids.filter(community=community, level=level, pk__in=Grid.objects.at(generation.pk))
               .values_list("code", flat=True)) & set(written)


def carry(plan: Plan, rows: Mapping[str, Grid]) -> None:
    """Apply a plan at approval: `rows` are the written grid rows by proposal code."""
    for code, ids in plan.staff.items():
        rows[code].staff.set(ids)
    for child_id, code in plan.children.items():
        Grid.objects.filter(pk=child_id).update(parent=rows[code])
    for business_id, codes in plan.business.items():
        BusinessGrid.objects.get(pk=business_id).base_grids.add(*[rows[c] for c in codes])


# ---- what each grid gains and loses --------------------------------------------------------------------

def effects(*, community: Area, level: int, plan: Plan, partition: Mapping[str, BaseGeometry],
            properties: Mapping[str, dict[str, Any]], changed: list[str], removed: list[str],
            points: np.ndarray, counts: np.ndarray, codes: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Per affected grid: staff gained and lost (names), households and population before and after, child grids
    and business grids moved in and out, and the rule violations after the edit. `codes` renames provisional
    codes (at approval, to the codes the coding rule gave)."""
    name_of = (codes or {}).get
    rows = {g.code: g for g in current_grids(community, level).prefetch_related("staff")}
    members = {m.pk: m for m in StaffMember.objects.filter(
        pk__in={pk for ids in plan.staff.values() for pk in ids} | {pk for g in rows.values() for pk in
                                                                     [m.pk for m in g.staff.all()]})}
    destination = {pk: code for code, ids in plan.staff.items() for pk in ids}
    children = {g.pk: g for g in Grid.objects.filter(pk__in=plan.children).select_related("parent")}
    business = {b.pk: b for b in BusinessGrid.objects.filter(pk__in=plan.business).select_related("department")}
    business_before = {code: {b.pk for b in BusinessGrid.objects.current().filter(base_grids=row)}
                       for code, row in rows.items() if code in changed or code in removed}
    stats = statistics(community, {c: partition[c] for c in changed}, dict(properties), points, counts)

    def label(code: str) -> str:
        return name_of(code) or code

    def person(pk: int) -> dict[str, str]:
        return {"name": members[pk].name, "role": members[pk].get_role_display()}

    result = []
    for code in sorted(set(changed) | set(removed)):
        old = rows.get(code)
        before = {m.pk for m in old.staff.all()} if old else set()
        after = set(plan.staff.get(code, []))
        gained = [{**person(pk), "grid": label(plan.staff_origin.get(pk, ""))} for pk in sorted(after - before)]
        lost = [{**person(pk), "grid": label(destination.get(pk, ""))} for pk in sorted(before - after)]
        moved_in = [g.code for pk, g in children.items() if plan.children[pk] == code and g.parent.code != code]
        moved_out = [g.code for pk, g in children.items() if g.parent.code == code and plan.children[pk] != code]
        took = {pk for pk, targets in plan.business.items() if code in targets}
        had = business_before.get(code, set())
        grid = {"code": label(code), "name": properties.get(code, {}).get("name") or (old.name if old else code),
                "status": "removed" if code in removed else "changed" if old else "new",
                "households_before": old.household_count if old else 0,
                "households_after": stats[code].households if code in stats else 0,
                "population_before": old.population if old else 0,
                "population_after": stats[code].population if code in stats else 0,
                "staff_gained": gained, "staff_lost": lost, "children_in": sorted(moved_in),
                "children_out": sorted(moved_out),
                "business_in": sorted(_business_label(business[pk]) for pk in took - had),
                "business_out": sorted(_business_label(business[pk]) for pk in had - took if pk in business),
                "violations": _violations(code, stats, after, members, plan, took, business, children)
                if code in changed else []}
        result.append(grid)
    return result


def _business_label(business: BusinessGrid) -> str:
    return f"{business.department.name} {business.name}（{business.code}）"


def _violations(code: str, stats: Mapping[str, Any], staff: set[int], members: Mapping[int, StaffMember],
                plan: Plan, took: set[int], business: Mapping[int, BusinessGrid],
                children: Mapping[int, Grid]) -> list[str]:
    roles = [members[pk].role for pk in staff]
    violations = list(stats[code].violations)
    if not any(role in WORKERS for role in roles):
        violations.append("无网格员：请为该网格配备专职或兼职网格员")
    leaders = roles.count(StaffMember.Role.LEADER)
    if leaders > 1:
        violations.append(f"有 {leaders} 名网格长：请指定一名，其他人员调整角色")
    violations += [f"业务网格 {_business_label(business[pk])} 范围变化约 {plan.realign[pk]:.0f} 平方米，请重新对齐"
                   for pk in sorted(took) if pk in plan.realign]
    violations += [f"子网格 {plan.crossing[pk]} 跨越新网格边界，需调整" for pk in sorted(plan.crossing)
                   if plan.children[pk] == code and pk in children]
    return violations
