"""The metric frame the town is drawn in, and the last step: projection to storage and the final checks.

Everything is drawn in metres (CGCS2000 / 3-degree GK CM 108E, EPSG:4545) relative to the town centre and
projected to EPSG:4490 only at the very end, once per distinct vertex over all geometries together.
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np
import shapely
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from geogrid.demo.town.constants import CENTRE_LONLAT, METRIC_EPSG, PRECISION_DEG, STORAGE_EPSG
from geogrid.demo.town.geometry import per_vertex, require
from geogrid.demo.town.specs import Town


@dataclass(frozen=True)
class Frame:
    to_metric: Transformer
    to_storage: Transformer
    origin: np.ndarray  # the town centre in EPSG:4545

    @classmethod
    def around_centre(cls) -> Frame:
        to_metric = Transformer.from_crs(STORAGE_EPSG, METRIC_EPSG, always_xy=True)
        return cls(to_metric=to_metric, to_storage=Transformer.from_crs(METRIC_EPSG, STORAGE_EPSG, always_xy=True),
                   origin=np.array(to_metric.transform(*CENTRE_LONLAT)))

    def lonlat(self, xy: np.ndarray) -> np.ndarray:
        """Frame metres (n, 2) to EPSG:4490 longitude and latitude."""
        lon, lat = self.to_storage.transform(xy[:, 0] + self.origin[0], xy[:, 1] + self.origin[1])
        return np.column_stack([lon, lat])

    def metres(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """EPSG:4490 longitude and latitude to frame metres."""
        x, y = self.to_metric.transform(lon, lat)
        return np.asarray(x) - self.origin[0], np.asarray(y) - self.origin[1]


def project(frame: Frame, town: Town) -> Town:
    """Every geometry of the town projected to EPSG:4490 and rounded to 1e-7° (about 1 cm) in one pass over
    all distinct vertices, so a vertex shared anywhere in the town is shared exactly afterwards."""
    slots: list[tuple[str, int, str]] = []
    geoms: list[BaseGeometry] = []
    for layer in fields(town):
        specs = getattr(town, layer.name)
        if not isinstance(specs, list):
            continue
        for position, spec in enumerate(specs):
            for attribute in fields(spec):
                value = getattr(spec, attribute.name)
                if isinstance(value, BaseGeometry):
                    slots.append((layer.name, position, attribute.name))
                    geoms.append(value)
    projected = shapely.transform(np.array(geoms, dtype=object), per_vertex(frame.lonlat))
    rounded = shapely.set_precision(projected, PRECISION_DEG, mode="pointwise")
    layers = {layer.name: list(getattr(town, layer.name)) for layer in fields(town)
              if isinstance(getattr(town, layer.name), list)}
    for (layer, position, attribute), geom in zip(slots, rounded):
        layers[layer][position] = replace(layers[layer][position], **{attribute: geom})
    return replace(town, **layers)


def check(town: Town) -> None:
    """The promises the loader and the database rely on, checked on the final (rounded) coordinates:
    valid polygons, grids that cover their community or parent exactly without overlaps, footprints and
    events inside their grids."""
    polygonal = [g.geom for g in (*town.areas, *town.grids, *town.business_grids, *town.waters)]
    polygonal += [b.footprint for b in town.buildings]
    require(bool(shapely.is_valid(np.array(polygonal, dtype=object)).all()), "an invalid polygon after rounding")
    groups: dict[tuple[str, int | None], list[BaseGeometry]] = {}
    for grid in town.grids:
        groups.setdefault((grid.community_code, grid.parent), []).append(grid.geom)
    for (community, parent), members in groups.items():
        require(shapely.coverage_is_valid(np.array(members, dtype=object)), f"grids of {community}/{parent} overlap")
        outer = next(a.geom for a in town.areas if a.code == community) if parent is None else town.grids[parent].geom
        require(shapely.coverage_union_all(members).equals(outer), f"grids of {community}/{parent} leave a gap")
    grid_geoms = np.array([town.grids[b.grid].geom for b in town.buildings], dtype=object)
    footprints = np.array([b.footprint for b in town.buildings], dtype=object)
    require(bool(shapely.within(footprints, grid_geoms).all()), "a footprint is not inside its grid")
    event_grids = np.array([town.grids[e.grid].geom for e in town.events], dtype=object)
    require(bool(shapely.contains(event_grids, np.array([e.point for e in town.events], dtype=object)).all()),
            "an event is not inside its grid")
