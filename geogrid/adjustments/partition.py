"""Edits of a community's grids as operations on a partition: split, merge, reshape, draw.

A partition maps grid codes to polygons (in metres, a projected CRS) that tile the community. Every
operation only moves a region from some grids to another, computed with overlay operations on one fixed
precision grid (`PRECISION`, a millimetre), so a boundary shared by two grids stays one boundary: moving it
changes both neighbours, and no edit can open a gap or create an overlap. Each result is checked anyway
(`check_partition`) and refused if it is not a clean partition.

Buildings are never cut: after an operation, a building footprint lying across a new boundary goes whole
to the grid holding most of it, so the boundary follows the building's outline (以房定户).

Plain shapely, no database: the service layer loads the partition and the footprints and stores results.
"""
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import shapely
from shapely.geometry.base import BaseGeometry
from shapely.ops import split as split_by_line

from django.utils.translation import gettext as _

from geogrid.core.api import DomainError

PRECISION = 0.001  # metres: the grid every result is snapped to
AREA_TOLERANCE = 0.01  # m²: the least drift allowed, for edits that change only short boundaries
NEW_CODE_PREFIX = "新"  # provisional codes ("新1") until approval numbers new grids by the coding rule


class EditError(DomainError, ValueError):
    """An operation that cannot be done as drawn: 400 with the raise's code; the message (gettext, Chinese by
    default) says why."""

    code = "edit_refused"


@dataclass
class Building:
    """A building footprint (metres) that no boundary may cut."""

    id: int
    footprint: BaseGeometry


@dataclass
class Outcome:
    """The partition after an operation, which codes changed, and warnings (not refusals)."""

    partition: dict[str, BaseGeometry]
    changed: list[str]
    removed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _snap(geom: BaseGeometry) -> BaseGeometry:
    return shapely.set_precision(geom, PRECISION)


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    """Only the polygon parts of an overlay result (overlays can leave lines and points on boundaries)."""
    if geom.is_empty or geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts, grid_size=PRECISION) if parts else shapely.Polygon()


def _minus(a: BaseGeometry, b: BaseGeometry) -> BaseGeometry:
    return _polygonal(shapely.difference(a, b, grid_size=PRECISION))


def _plus(a: BaseGeometry, b: BaseGeometry) -> BaseGeometry:
    return _polygonal(shapely.union(a, b, grid_size=PRECISION))


def _meet(a: BaseGeometry, b: BaseGeometry) -> BaseGeometry:
    return _polygonal(shapely.intersection(a, b, grid_size=PRECISION))


def snapped(partition: Mapping[str, BaseGeometry]) -> dict[str, BaseGeometry]:
    """The partition on the precision grid (shared vertices snap identically, so shared edges stay shared)."""
    return {code: _snap(geom) for code, geom in partition.items()}


def new_code(partition: Mapping[str, BaseGeometry]) -> str:
    taken = {c for c in partition if c.startswith(NEW_CODE_PREFIX)}
    n = 1
    while f"{NEW_CODE_PREFIX}{n}" in taken:
        n += 1
    return f"{NEW_CODE_PREFIX}{n}"


def _require(partition: Mapping[str, BaseGeometry], *codes: str) -> None:
    for code in codes:
        if code not in partition:
            raise EditError(_("There is no grid {code} in the draft.").format(code=code), code="grid_not_in_draft")


def split(partition: Mapping[str, BaseGeometry], code: str, line: BaseGeometry,
          buildings: Iterable[Building] = ()) -> Outcome:
    """Split a grid in two along a drawn line; the larger part keeps the code, the other is a new grid."""
    _require(partition, code)
    grid = partition[code]
    pieces = sorted(shapely.get_parts(split_by_line(grid, line)), key=lambda p: -p.area)
    if len(pieces) < 2:
        raise EditError(_("The line must cross the grid from side to side (both ends outside it)."),
                        code="split_line_not_across")
    if len(pieces) > 2:
        raise EditError(_("The line cuts the grid into {pieces} pieces; it may cut it into two only.")
                        .format(pieces=len(pieces)), code="split_into_many")
    new = new_code(partition)
    result = dict(partition)
    result[new] = _meet(grid, _snap(pieces[1]))
    result[code] = _minus(grid, result[new])
    return _finish(partition, result, [code, new], buildings)


def merge(partition: Mapping[str, BaseGeometry], codes: list[str], buildings: Iterable[Building] = ()) -> Outcome:
    """Merge neighbouring grids into the first code given; the others are removed."""
    if len(set(codes)) < 2:
        raise EditError(_("Pick at least two grids to merge."), code="merge_needs_two")
    _require(partition, *codes)
    merged = shapely.union_all([partition[c] for c in codes], grid_size=PRECISION)
    if merged.geom_type != "Polygon":
        raise EditError(_("Only neighbouring grids (sharing a boundary) can be merged."), code="merge_not_neighbours")
    result = {c: g for c, g in partition.items() if c not in codes[1:]}
    result[codes[0]] = merged
    return _finish(partition, result, [codes[0]], buildings, removed=codes[1:])


def reshape(partition: Mapping[str, BaseGeometry], code: str, region: BaseGeometry,
            buildings: Iterable[Building] = ()) -> Outcome:
    """Give the drawn region (inside the community) to a grid: its neighbours lose exactly what it gains."""
    _require(partition, code)
    return _take(partition, code, region, buildings)


def draw(partition: Mapping[str, BaseGeometry], region: BaseGeometry,
         buildings: Iterable[Building] = ()) -> Outcome:
    """A new grid over the drawn region (clipped to the community), taken from the grids it covers."""
    code = new_code(partition)
    return _take({**partition, code: shapely.Polygon()}, code, region, buildings)


def _take(partition: Mapping[str, BaseGeometry], code: str, region: BaseGeometry,
          buildings: Iterable[Building]) -> Outcome:
    region = _snap(region)
    if region.geom_type not in ("Polygon", "MultiPolygon") or region.is_empty:
        raise EditError(_("Draw an area (a polygon)."), code="region_not_polygon")
    result = dict(partition)
    changed = []
    for other, geom in partition.items():
        if other == code:
            continue
        taken = _meet(geom, region)
        if taken.area > 0:
            result[other] = _minus(geom, taken)
            result[code] = _plus(result[code], taken)
            changed.append(other)
    if not changed:
        raise EditError(_("The drawn area covers no other grid."), code="region_covers_nothing")
    return _finish(partition, result, [code, *changed], buildings)


def _finish(before: Mapping[str, BaseGeometry], after: dict[str, BaseGeometry], changed: list[str],
            buildings: Iterable[Building], removed: Iterable[str] = ()) -> Outcome:
    """Keep buildings whole, drop emptied grids, check the result is still a clean partition."""
    changed = list(dict.fromkeys(changed))
    changed += [c for c in _keep_buildings_whole(after, changed, buildings) if c not in changed]
    removed = list(removed) + [c for c in changed if after[c].is_empty]
    for code in removed:
        after.pop(code, None)
    changed = [c for c in changed if c in after]
    check_partition(before, after)
    warnings = [_("Grid {code} falls into {pieces} separate pieces.").format(
                    code=c, pieces=len(shapely.get_parts(after[c])))
                for c in changed if after[c].geom_type == "MultiPolygon"]
    return Outcome(after, changed, removed, warnings)


def _keep_buildings_whole(partition: dict[str, BaseGeometry], changed: list[str],
                          buildings: Iterable[Building]) -> list[str]:
    """Give every building cut by a changed grid's boundary whole to the grid holding most of it."""
    touched = []
    changed_area = shapely.union_all([partition[c] for c in changed], grid_size=PRECISION)
    for building in buildings:
        footprint = _snap(building.footprint)
        if not footprint.intersects(changed_area):
            continue
        shares = {c: _meet(g, footprint).area for c, g in partition.items() if g.intersects(footprint)}
        shares = {c: a for c, a in shares.items() if a > PRECISION**2}
        if len(shares) < 2:
            continue
        owner = max(sorted(shares), key=lambda c: shares[c])  # ties: the lowest code
        for code in shares:
            if code != owner:
                piece = _meet(partition[code], footprint)
                partition[code] = _minus(partition[code], piece)
                partition[owner] = _plus(partition[owner], piece)
                touched.append(code)
        touched.append(owner)
    return touched


def check_partition(before: Mapping[str, BaseGeometry], after: Mapping[str, BaseGeometry]) -> None:
    """Refuse a result that is not a clean partition of the same ground: no overlap, no gap, same total area.

    Areas may drift by rounding alone: where a drawn line crosses a boundary, the crossing point is put on
    the millimetre grid, up to PRECISION/sqrt(2) off the straight edge the unchanged neighbour still has.
    The sliver this leaves is at most the changed grids' perimeter times that distance (0.7 m² per km of
    boundary), so that bound is the tolerance: a fixed one refused about one split in four of real grids.
    """
    geoms = [g for g in after.values() if not g.is_empty]
    invalid = [c for c, g in after.items() if not g.is_valid]
    if invalid:
        raise EditError(_("The geometry of grid {codes} is not valid.").format(codes="、".join(invalid)),
                        code="invalid_geometry")
    tolerance = max(AREA_TOLERANCE, rounding_drift(before, after))
    total_before = sum(g.area for g in before.values())
    total_after = sum(g.area for g in geoms)
    union_after = shapely.union_all(geoms, grid_size=PRECISION).area
    if abs(total_after - union_after) > tolerance:
        raise EditError(_("The edit would make grids overlap by {area} square metres.").format(
            area=f"{total_after - union_after:.2f}"), code="edit_overlaps")
    if abs(total_before - total_after) > tolerance:
        raise EditError(_("The edit would change the area the community's grids cover by {area} square metres.").format(
            area=f"{total_after - total_before:+.2f}"), code="edit_opens_gap")


def rounding_drift(before: Mapping[str, BaseGeometry], after: Mapping[str, BaseGeometry]) -> float:
    """The most area that snapping the changed grids' boundaries to the precision grid can move (m²)."""
    changed = [g for c, g in after.items()
               if c not in before or not shapely.equals_exact(g, before[c], tolerance=PRECISION, normalize=True)]
    return sum(g.length for g in changed) * PRECISION / math.sqrt(2)
