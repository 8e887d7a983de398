"""A grid layer replaced by a user who is not the street's grid centre: one change request, not a write.

`replace` by a community's clerk (permission `adjustments.add_changerequest`, not `approve_changerequest`)
makes the file one community's whole layer of one level, proposed as ONE change request
(`adjustments.services.submit_layer`): its new grids, the grids whose geometry or attributes it changes, and
the current grids of that level it does not name (removed). Nothing changes until the centre approves it on
the approval page (`/adjustments/`, the decision API), which writes the new version as for an editor's
request: staff, child grids and business-grid links carried over (`adjustments.carryover`), what each grid
gains and loses shown before anyone approves; rejecting leaves everything as it was. The import job records
the request (`ImportJob.change_request`, status `submitted`).
"""
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from shapely.geometry import mapping

from geogrid.adjustments.services import submit_layer
from geogrid.areas.models import Area
from geogrid.core.api import DomainError
from geogrid.grids.models import Grid
from geogrid.imports.models import ImportJob
from geogrid.imports.validation import CheckedFeature, Problem
from geogrid.imports.writers import WriteContext, WriteError, grid_changed


class Refused(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems


class _DryRun(Exception):
    """Rolls back a dry run's change request."""


@dataclass
class Proposed:
    """What the request holds: (would be) created, updated and ended grids, and rows the file leaves as they are."""

    created: int
    updated: int
    ended: int
    unchanged: int


def proposes(target: str, mode: str, user: User | None) -> bool:
    """Whether this import is a change request: a grid replace by a user who may propose grid changes but not
    approve them."""
    return (target == "grids" and mode == ImportJob.Mode.REPLACE and user is not None
            and not user.has_perm("adjustments.approve_changerequest")
            and user.has_perm("adjustments.add_changerequest"))


def propose(rows: list[CheckedFeature], *, user: User, job: ImportJob, scope: Area | None, warnings: int,
            dry_run: bool) -> Proposed:
    """Submit the file's rows (checked by `checks.check_grids`) as one change request, recorded on the job;
    a dry run submits nothing. Raises `Refused` with the problems."""
    try:
        WriteContext(scope=scope).refuse_outside(rows, lambda r: [r.values["community_code"]])
    except WriteError as error:
        raise Refused(error.problems) from None
    community, level = _one_layer(rows)
    current = {g.code: g for g in Grid.objects.current().filter(community=community, level=level)
               .select_related("parent")}
    changed = [r.values["code"] for r in rows if grid_changed(current.get(r.values["code"]), r)]
    ended = len(set(current) - {r.values["code"] for r in rows})
    if not changed and not ended:  # the layer as it is: nothing to propose
        return Proposed(0, 0, 0, len(rows))
    reason = (f"导入文件 {job.file_name}（导入记录 #{job.pk}）替换{community.name}的{level}级网格：文件共 {len(rows)} 个网格"
              + (f"；导入检查有 {warnings} 个覆盖警告（重叠或空白），见导入记录" if warnings else ""))
    try:
        with transaction.atomic():
            request = submit_layer(user=user, community=community, level=level, proposal=_collection(rows, current),
                                   changed=changed, reason=reason)
            if dry_run:
                raise _DryRun
            job.change_request = request
    except _DryRun:
        pass
    except DomainError as error:
        raise Refused([Problem(None, error.message, code=error.code)]) from None
    created = sum(code not in current for code in changed)
    return Proposed(created, len(changed) - created, ended, len(rows) - len(changed))


def _one_layer(rows: list[CheckedFeature]) -> tuple[Area, int]:
    """The one community and level the rows make; a request is one community's layer of one level."""
    communities = sorted({r.values["community_code"] for r in rows})
    levels = sorted({r.values["level"] for r in rows})
    problems = []
    if len(communities) > 1:
        problems.append(Problem(None, f"一个调整申请只能替换一个社区的网格，文件含 {len(communities)} 个社区"
                                      f"（{'、'.join(communities)}）：请按社区分别导入", code="several_communities"))
    if len(levels) > 1:
        problems.append(Problem(None, f"一个调整申请只能替换一个层级的网格，文件含 {'、'.join(map(str, levels))} 级："
                                      "请按层级分别导入", code="several_levels"))
    if problems:
        raise Refused(problems)
    return Area.objects.communities().get(code=communities[0]), levels[0]


def _collection(rows: list[CheckedFeature], current: dict[str, Grid]) -> dict[str, Any]:
    """The file's layer as the request's proposal: GeoJSON in CGCS2000 as the file has it (after its CRS
    conversion), each grid with the attributes its new version takes."""
    features = []
    for row in sorted(rows, key=lambda r: r.values["code"]):
        v = row.values
        properties = {"code": v["code"], "name": v["name"], "level": v["level"], "kind": v["kind"],
                      "setting": v["setting"], "exclusive_type": v["exclusive_type"] or "",
                      "parent_code": v["parent_code"] if v["level"] > 1 else None,
                      "grid_id": current[v["code"]].pk if v["code"] in current else None}
        features.append({"type": "Feature", "id": v["code"], "properties": properties,
                         "geometry": mapping(row.geometry)})
    return {"type": "FeatureCollection", "features": features}
