"""Repair proposals for grid coverages: previews to accept or reject, never applied here.

`propose_repair` cleans each group of grids that must tile a container (a community's level-1 grids, or the
children of one subdivided grid) with GEOS's coverage cleaning (shapely `coverage_clean`, GEOS 3.14;
PostGIS 3.3 has no ST_Coverage* functions): grids are clipped to their container, overlaps go to the
neighbour with the longest shared border, gaps narrower than the rule set's `repair_gap_width_m` are merged
into a neighbour, and shared edges become vertex-identical. It returns the proposed geometries with their
area changes and validates them with the same checks as the stored grids, so the preview shows what would
remain (wider gaps, buildings the new boundaries would cut, household counts that would change).

Nothing is written. Applying a proposal is a boundary edit like any other: it goes through the editor's
change requests (a new generation per accepted change), so it is reviewed, versioned and audited.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from pyproj import Transformer
from shapely import MultiPolygon

from geogrid.areas.models import Area
from geogrid.coverage.models import SizingRules
from geogrid.coverage.selectors import (
    STORAGE_SRID, CoverageGroup, CoverageReport, coverage_groups, rules_for, validate_coverage,
)
from geogrid.grids.models import Grid

@dataclass(frozen=True)
class ProposedGrid:
    """One grid as the cleaning proposes it. Areas in m² (settings.GEOGRID_AREA_SRID); `moved_m2` is the
    area of the symmetric difference, which also shows boundary moves that leave the area unchanged."""

    code: str
    community_code: str
    geometry: GEOSGeometry
    changed: bool
    area_before_m2: float
    area_after_m2: float
    moved_m2: float

    @property
    def area_change_m2(self) -> float:
        return self.area_after_m2 - self.area_before_m2

    def properties(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "community": self.community_code,
            "changed": self.changed,
            "area_before_m2": round(self.area_before_m2, 2),
            "area_after_m2": round(self.area_after_m2, 2),
            "area_change_m2": round(self.area_change_m2, 2),
            "moved_m2": round(self.moved_m2, 2),
        }


@dataclass(frozen=True)
class RepairPreview:
    """The proposed coverage of one level and the problems that would remain after it (all levels)."""

    area_code: str
    area_name: str
    level: int
    gap_width_m: float
    grids: tuple[ProposedGrid, ...]
    remaining: CoverageReport

    def summary(self) -> dict[str, Any]:
        return {
            "area": {"code": self.area_code, "name": self.area_name},
            "level": self.level,
            "gap_width_m": self.gap_width_m,
            "changed_grids": sum(1 for g in self.grids if g.changed),
            "remaining_counts": self.remaining.summary()["counts"],
        }

    def as_json(self) -> dict[str, Any]:
        return {**self.summary(), "grids": [g.properties() for g in self.grids],
                "remaining": self.remaining.as_json()["problems"]}

    def as_geojson(self) -> dict[str, Any]:
        """One FeatureCollection for a map: proposed grids (`layer` = proposed_grid) and remaining problems
        (`layer` = problem)."""
        grids = [{"type": "Feature", "geometry": json.loads(g.geometry.json),
                  "properties": {"layer": "proposed_grid", **g.properties()}} for g in self.grids]
        problems = [{**feature, "properties": {"layer": "problem", **feature["properties"]}}
                    for feature in self.remaining.as_geojson()["features"]]
        return {"type": "FeatureCollection", **self.summary(), "features": grids + problems}


class _MetricFrame:
    """Projects to metres for cleaning and back without drifting.

    pyproj gives the same metres as PostGIS's ST_Transform (both are PROJ). A plain inverse projection would
    move every vertex by ~1e-14° and open microscopic slivers against the stored community boundary, so
    every vertex the cleaning kept goes back to its stored coordinates exactly; only new vertices are
    inverse-projected.
    """

    def __init__(self) -> None:
        self._forward = Transformer.from_crs(STORAGE_SRID, settings.GEOGRID_AREA_SRID, always_xy=True)
        self._inverse = Transformer.from_crs(settings.GEOGRID_AREA_SRID, STORAGE_SRID, always_xy=True)
        self._stored: dict[tuple[float, float], tuple[float, float]] = {}

    def to_metric(self, geoms: np.ndarray) -> np.ndarray:
        def forward(lonlat: np.ndarray) -> np.ndarray:
            metric = np.column_stack(self._forward.transform(lonlat[:, 0], lonlat[:, 1]))
            self._stored.update(zip(map(tuple, metric.tolist()), map(tuple, lonlat.tolist())))
            return metric

        return shapely.transform(geoms, forward)

    def to_storage(self, geoms: np.ndarray) -> np.ndarray:
        def inverse(metric: np.ndarray) -> np.ndarray:
            lonlat = np.column_stack(self._inverse.transform(metric[:, 0], metric[:, 1]))
            for i, xy in enumerate(map(tuple, metric.tolist())):
                if (stored := self._stored.get(xy)) is not None:
                    lonlat[i] = stored
            return lonlat

        return shapely.transform(geoms, inverse)


def _polygonal(geom: shapely.Geometry) -> MultiPolygon:
    """The polygons of a geometry (clipping can leave lines and points where boundaries touch)."""
    parts = shapely.get_parts(shapely.get_parts(geom))
    return MultiPolygon(list(parts[shapely.get_type_id(parts) == shapely.GeometryType.POLYGON]))


def _clean_group(group: CoverageGroup, rules: SizingRules) -> list[ProposedGrid]:
    """Clean one group. Where the rules let exclusive grids lie on top of comprehensive ones, only the
    comprehensive grids form the coverage and the exclusive grids stay as they are."""
    members = [i for i, kind in enumerate(group.kinds)
               if not (rules.exclusive_may_overlap and kind == Grid.Kind.EXCLUSIVE)]
    frame = _MetricFrame()
    before = np.array([group.geoms[i] for i in members], dtype=object)
    container, *grids = frame.to_metric(np.array([group.container, *before], dtype=object))
    clipped = [_polygonal(g) for g in shapely.intersection(np.array(grids, dtype=object), container)]
    cleaned = shapely.coverage_clean(clipped, gap_width=rules.repair_gap_width_m)
    after = frame.to_storage(cleaned)
    return [
        ProposedGrid(
            code=group.codes[i], community_code=group.community_code,
            geometry=GEOSGeometry(memoryview(shapely.to_wkb(_polygonal(stored))), srid=STORAGE_SRID),
            changed=not shapely.equals(original, stored),
            area_before_m2=metric_before.area, area_after_m2=metric_after.area,
            moved_m2=shapely.symmetric_difference(metric_before, metric_after).area,
        )
        for i, original, stored, metric_before, metric_after in zip(members, before, after, grids, cleaned)
    ]


def propose_repair(*, area_code: str, level: int) -> RepairPreview:
    """A cleaned coverage of the area's grids of one level, as a preview; never writes (see the module
    docstring: applying goes through the editor's change requests). Raises `Area.DoesNotExist` for an
    unknown code and `ValueError` for an unknown level."""
    area = Area.objects.get(code=area_code)
    rules = rules_for(area)
    grids = sorted((p for group in coverage_groups(area_code, level) for p in _clean_group(group, rules)),
                   key=lambda p: p.code)
    remaining = validate_coverage(area_code, proposed={g.code: g.geometry for g in grids if g.changed})
    return RepairPreview(area.code, area.name, level, rules.repair_gap_width_m, tuple(grids), remaining)
