"""A synthetic county for benchmarks: one community tiled by a lattice of square cells, far from the demo town.

Used inside a transaction the benchmark rolls back; cells are in metres (EPSG:4545), `to_storage` turns a
metre geometry into the MultiPolygon GeoDjango stores (CGCS2000).
"""
from dataclasses import dataclass

import numpy as np
import shapely
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from pyproj import Transformer

from geogrid.areas.models import Area

X0, Y0 = 700_000.0, 3_100_000.0
TO_GEO = Transformer.from_crs(4545, 4490, always_xy=True)


def to_storage(geom: shapely.Geometry) -> MultiPolygon:
    degrees = shapely.transform(geom, lambda xy: np.column_stack(TO_GEO.transform(xy[:, 0], xy[:, 1])))
    geos = GEOSGeometry(memoryview(shapely.to_wkb(degrees)), srid=4490)
    return geos if isinstance(geos, MultiPolygon) else MultiPolygon(geos, srid=4490)


@dataclass
class SyntheticCounty:
    street: Area
    community: Area
    cells: list[shapely.Polygon]  # row by row, west to east, metres
    extent: shapely.Polygon  # the community, metres
    side: int
    size: float


def synthetic_county(cells: int, size: float = 100.0) -> SyntheticCounty:
    """A county, street and community holding a side x side lattice of `size`-metre cells."""
    side = int(cells ** 0.5)
    # Densified like surveyed boundaries, so edges stay straight in the projection after reprojecting.
    box = shapely.segmentize(shapely.box(X0, Y0, X0 + side * size, Y0 + side * size), size)
    county = Area.objects.create(code="999999000000", name="基准县", kind="county", geom=to_storage(box.buffer(10)))
    street = Area.objects.create(code="999999001000", name="基准街道", kind="street", parent=county,
                                 geom=to_storage(box.buffer(5)))
    community = Area.objects.create(code="999999001001", name="基准社区", kind="community", parent=street,
                                    geom=to_storage(box))
    lattice = [shapely.box(X0 + i * size, Y0 + j * size, X0 + (i + 1) * size, Y0 + (j + 1) * size)
               for j in range(side) for i in range(side)]
    return SyntheticCounty(street, community, lattice, box, side, size)
