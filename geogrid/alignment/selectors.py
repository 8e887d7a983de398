"""多网合一 alignment report: how far a department's business grids are from following base-grid boundaries.

For every business grid: which base grids it overlaps and how much of each (share of the base grid), the
base grids assigned to it by majority area (each base grid goes to the business grid holding most of it,
ties to the lowest code), IoU and symmetric difference against the union of its assigned base grids,
Hausdorff distance (densified), base grids it splits, assigned base grids where its share is low (a person
decides), and sliver pieces (mean width 2·area/perimeter under a threshold). A business grid that wins no base
grid (too small to hold most of any) is "not" aligned, with that as its `reason` and no Hausdorff distance
(it has nothing to be measured against): the report never holds inf or NaN. For the layer: overlaps and
gaps between the department's own grids, base grids covered by no business grid or split between several.
Areas are square metres in the projected CRS `GEOGRID_AREA_SRID`. Computed with shapely 2 (GEOS 3.14,
vectorised, STRtree) on the current rows; DESIGN-NOTES lists why several metrics are reported together.
"""
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from django.conf import settings
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from geogrid.core.crs import from_area_crs, to_area_crs
from geogrid.areas.models import Area
from geogrid.departments.models import BusinessGrid, Department
from geogrid.grids.models import Grid

DEFAULTS = {
    "split_share": 0.02,  # a business grid holding more than this and less than 1 - this of a base grid splits it
    "decision_share": 0.6,  # an assigned base grid held by less than this needs a person's decision
    "sliver_width_m": 2.0,  # disagreeing pieces thinner than this (mean width) are slivers
    "aligned_iou": 0.999,
    "nearly_iou": 0.95,
    "hausdorff_densify": 0.25,  # ST_HausdorffDistance's densifyFrac
    "min_area_m2": 0.5,  # pieces smaller than this are rounding, not disagreement
}


UNMATCHED = "未对应任何基础网格（没有一个基础网格的多数面积在该业务网格内）"


def thresholds(**overrides: float) -> dict[str, float]:
    """The defaults, then `GEOGRID_ALIGNMENT` from settings, then the caller's overrides."""
    return {**DEFAULTS, **getattr(settings, "GEOGRID_ALIGNMENT", {}), **overrides}


@dataclass
class Share:
    base_code: str
    area_m2: float
    share: float  # of the base grid's area

    def as_dict(self) -> dict[str, Any]:
        return {"base_code": self.base_code, "area_m2": round(float(self.area_m2), 1), "share": round(float(self.share), 4)}


@dataclass
class GridAlignment:
    code: str
    name: str
    area_m2: float
    shares: list[Share]
    assigned: list[str]
    iou: float
    symmetric_difference_m2: float
    hausdorff_m: float | None  # None when no base grid is assigned
    splits: list[str]
    low_share: list[str]
    slivers: int
    verdict: str
    reason: str | None  # why the verdict, when it is not read from the figures alone
    geometry: BaseGeometry = field(repr=False)  # the business grid as drawn, metres
    disagreement: BaseGeometry = field(repr=False)  # metres

    @property
    def symmetric_difference_pct(self) -> float:
        return 100 * self.symmetric_difference_m2 / self.area_m2 if self.area_m2 else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "area_m2": round(float(self.area_m2), 1),
                "shares": [s.as_dict() for s in self.shares], "assigned": self.assigned, "iou": round(float(self.iou), 5),
                "symmetric_difference_m2": round(float(self.symmetric_difference_m2), 1),
                "symmetric_difference_pct": round(self.symmetric_difference_pct, 2),
                "hausdorff_m": None if self.hausdorff_m is None else round(float(self.hausdorff_m), 2),
                "splits": self.splits, "low_share": self.low_share, "slivers": self.slivers, "verdict": self.verdict,
                "reason": self.reason}


@dataclass
class LayerProblem:
    kind: str  # "overlap", "gap", "base_uncovered", "base_shared"
    codes: list[str]
    area_m2: float
    geometry: BaseGeometry  # metres

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "codes": self.codes, "area_m2": round(float(self.area_m2), 1)}


@dataclass
class AlignmentReport:
    department: Department
    grids: list[GridAlignment]
    problems: list[LayerProblem]
    assignment: dict[str, str]  # base code -> business code
    thresholds: dict[str, float]
    base_areas: dict[str, float]  # base code -> m²

    def summary(self) -> dict[str, int]:
        verdicts = [g.verdict for g in self.grids]
        return {"business_grids": len(self.grids), "aligned": verdicts.count("aligned"),
                "nearly": verdicts.count("nearly"), "not": verdicts.count("not"),
                **{kind: sum(p.kind == kind for p in self.problems)
                   for kind in ("overlap", "gap", "base_uncovered", "base_shared")}}

    def as_json(self) -> dict[str, Any]:
        return {"department": {"code": self.department.code, "name": self.department.name},
                "summary": self.summary(), "thresholds": self.thresholds,
                "grids": [g.as_dict() for g in self.grids], "problems": [p.as_dict() for p in self.problems]}

    def as_geojson(self) -> dict[str, Any]:
        """Every business grid (with its verdict), its disagreeing pieces, and every layer problem."""
        features = [_feature(g.geometry, {"type": "business_grid", **g.as_dict()}) for g in self.grids]
        features += [_feature(g.disagreement, {"type": "disagreement", "code": g.code, "verdict": g.verdict})
                     for g in self.grids if not g.disagreement.is_empty]
        features += [_feature(p.geometry, {"type": p.kind, **p.as_dict()}) for p in self.problems
                     if not p.geometry.is_empty]
        return {"type": "FeatureCollection", "features": features}


def _feature(geometry: BaseGeometry, properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "geometry": mapping(from_area_crs(geometry)), "properties": properties}


@dataclass
class Layers:
    """A department's business grids and the base grids of its area, in metres."""

    business_codes: list[str]
    business_names: list[str]
    business: np.ndarray
    base_codes: list[str]
    base: np.ndarray


def _metres(rows) -> np.ndarray:
    return np.array([to_area_crs(shapely.from_wkb(bytes(geom.wkb))) for geom in rows], dtype=object)


def base_grids_of(department: Department) -> "Any":
    """The base grids a department's grids must follow: current level-1 grids of its area."""
    prefix = Area.code_prefix(department.area.code)
    return Grid.objects.current().filter(level=Grid.Level.ONE, community__code__startswith=prefix).order_by("code")


def load_layers(department: Department) -> Layers:
    business = list(BusinessGrid.objects.current().filter(department=department).order_by("code")
                    .values_list("code", "name", "geom"))
    base = list(base_grids_of(department).values_list("code", "geom"))
    return Layers([b[0] for b in business], [b[1] for b in business], _metres(b[2] for b in business),
                  [g[0] for g in base], _metres(g[1] for g in base))


def overlaps(layers: Layers) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (business index, base index, overlap area m²) pair with a positive overlap. A base grid lying
    wholly inside a business grid overlaps it by its own area: only the pairs across a boundary pay for an
    intersection."""
    shapely.prepare(layers.business)
    tree = shapely.STRtree(layers.base)
    b_idx, g_idx = tree.query(layers.business, predicate="intersects")
    inside = shapely.contains_properly(layers.business[b_idx], layers.base[g_idx])
    areas = np.empty(len(b_idx))
    areas[inside] = shapely.area(layers.base[g_idx[inside]])
    crossing = ~inside
    areas[crossing] = shapely.area(shapely.intersection(layers.business[b_idx[crossing]], layers.base[g_idx[crossing]]))
    keep = areas > 0
    return b_idx[keep], g_idx[keep], areas[keep]


def majority_assignment(layers: Layers, b_idx: np.ndarray, g_idx: np.ndarray, areas: np.ndarray,
                        min_share: float) -> dict[int, int]:
    """Base index -> business index holding most of it (ties: the lowest business code), for base grids a
    business grid holds more than `min_share` of."""
    base_areas = shapely.area(layers.base)
    best: dict[int, tuple[float, str, int]] = {}
    for b, g, a in zip(b_idx, g_idx, areas):
        key = (-a, layers.business_codes[b], b)
        if a / base_areas[g] > min_share and (g not in best or key < best[g]):
            best[g] = key
    return {g: key[2] for g, key in best.items()}


def alignment_report(department: Department, **overrides: float) -> AlignmentReport:
    limits = thresholds(**overrides)
    layers = load_layers(department)
    b_idx, g_idx, areas = overlaps(layers)
    base_areas = shapely.area(layers.base)
    assignment = majority_assignment(layers, b_idx, g_idx, areas, limits["split_share"])
    grids = [_grid_alignment(layers, i, b_idx, g_idx, areas, base_areas, assignment, limits)
             for i in range(len(layers.business))]
    problems = _layer_problems(layers, b_idx, g_idx, areas, base_areas, sorted(assignment), limits)
    return AlignmentReport(department, grids, problems,
                           {layers.base_codes[g]: layers.business_codes[b] for g, b in sorted(assignment.items())},
                           limits, dict(zip(layers.base_codes, base_areas.tolist())))


def _grid_alignment(layers: Layers, i: int, b_idx, g_idx, areas, base_areas, assignment: dict[int, int],
                    limits: dict[str, float]) -> GridAlignment:
    grid = layers.business[i]
    mine = b_idx == i
    shares = sorted((Share(layers.base_codes[g], a, a / base_areas[g]) for g, a in zip(g_idx[mine], areas[mine])
                     if a >= limits["min_area_m2"]), key=lambda s: (-s.share, s.base_code))
    assigned = sorted(g for g, b in assignment.items() if b == i)
    union = shapely.coverage_union_all(layers.base[assigned]) if assigned else shapely.Polygon()
    inter = shapely.intersection(grid, union).area
    union_area = shapely.union(grid, union).area
    disagreement = shapely.symmetric_difference(grid, union)
    pieces = [p for p in shapely.get_parts(disagreement) if p.area >= limits["min_area_m2"]]
    iou = inter / union_area if union_area else 0.0
    splits = [s.base_code for s in shares if limits["split_share"] < s.share < 1 - limits["split_share"]]
    iou_aligned = iou >= limits["aligned_iou"] and not splits
    verdict = "aligned" if iou_aligned else "nearly" if iou >= limits["nearly_iou"] else "not"
    return GridAlignment(
        code=layers.business_codes[i], name=layers.business_names[i], area_m2=grid.area, shares=shares,
        assigned=[layers.base_codes[g] for g in assigned], iou=iou,
        symmetric_difference_m2=union_area - inter,
        hausdorff_m=shapely.hausdorff_distance(grid, union, densify=limits["hausdorff_densify"]) if assigned
        else None,
        splits=splits,
        low_share=[s.base_code for s in shares
                   if s.base_code in {layers.base_codes[g] for g in assigned} and s.share < limits["decision_share"]],
        slivers=sum(1 for p in pieces if 2 * p.area / p.length < limits["sliver_width_m"]),
        verdict=verdict, reason=None if assigned else UNMATCHED, geometry=grid, disagreement=shapely.union_all(pieces) if pieces else shapely.Polygon())


def _layer_problems(layers: Layers, b_idx, g_idx, areas, base_areas, assigned: list[int],
                    limits: dict[str, float]) -> list[LayerProblem]:
    """Overlaps between the department's grids; gaps: parts of the base grids it claims (by majority) that
    none of its grids covers; base grids nobody holds, or several hold a real share of."""
    problems = []
    tree = shapely.STRtree(layers.business)
    left, right = tree.query(layers.business, predicate="intersects")
    for a, b in zip(left, right):
        if a < b:
            piece = shapely.intersection(layers.business[a], layers.business[b])
            if piece.area >= limits["min_area_m2"]:
                problems.append(LayerProblem("overlap", [layers.business_codes[a], layers.business_codes[b]],
                                             piece.area, piece))
    if assigned:
        claimed = shapely.coverage_union_all(layers.base[assigned])
        holes = shapely.difference(claimed, shapely.union_all(layers.business))
        for piece in shapely.get_parts(holes):
            if piece.area >= limits["min_area_m2"]:
                problems.append(LayerProblem("gap", [], piece.area, piece))
    held = np.zeros(len(layers.base))
    holders: dict[int, list[str]] = {}
    for b, g, a in zip(b_idx, g_idx, areas):
        held[g] += a
        if a / base_areas[g] > limits["split_share"]:
            holders.setdefault(g, []).append(layers.business_codes[b])
    for g, code in enumerate(layers.base_codes):
        if held[g] / base_areas[g] <= limits["split_share"]:
            problems.append(LayerProblem("base_uncovered", [code], base_areas[g], layers.base[g]))
        elif len(holders.get(g, [])) > 1:
            problems.append(LayerProblem("base_shared", [code, *sorted(holders[g])], base_areas[g], layers.base[g]))
    return problems


def followed_changes(department: Department, limit: int = 20) -> list[dict[str, Any]]:
    """Versions of the department's aligned business grids that base-grid edits made (not its own
    alignments): what each approved grid edit changed in the department's layer, newest first."""
    rows = (BusinessGrid.objects.filter(department=department, source=BusinessGrid.Source.BASE_UNITS)
            .exclude(generation_low__description__startswith="多网合一")
            .select_related("generation_low").order_by("-generation_low_id", "code")[:limit])
    changes = []
    for row in rows:
        before = (BusinessGrid.objects.filter(department=department, code=row.code, pk__lt=row.pk)
                  .order_by("-pk").first())
        changes.append({"code": row.code, "name": row.name, "generation": row.generation_low_id,
                        "description": row.generation_low.description,
                        "at": row.generation_low.created_at.isoformat(),
                        "area_before_m2": round(to_area_crs(shapely.from_wkb(bytes(before.geom.wkb))).area, 1)
                        if before else None,
                        "area_after_m2": round(to_area_crs(shapely.from_wkb(bytes(row.geom.wkb))).area, 1)})
    return changes
