"""What the generator returns: plain frozen dataclasses, one per model the loader fills.

Geometries are shapely objects in CGCS2000 (EPSG:4490) once `generate_town` returns (metres while the
steps build them); choice fields hold the string values the models use (`Grid.Kind`, `Building.Use`, ...),
so `geogrid.demo.services` can load them without a translation table.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
from rasterio.transform import Affine
from shapely import LineString, MultiPolygon, Point, Polygon

from geogrid.demo.town.constants import STORAGE_EPSG, STREET_CODE


@dataclass(frozen=True)
class AreaSpec:
    code: str
    name: str
    kind: str  # Area.Kind value
    parent_code: str | None
    geom: MultiPolygon


@dataclass(frozen=True)
class GridSpec:
    name: str | None  # None: named after its code once numbered (社区名 + 第N网格)
    kind: str  # Grid.Kind value
    level: int
    setting: str  # Grid.Setting value
    community_code: str
    geom: MultiPolygon
    parent: int | None = None  # index into Town.grids
    exclusive_type: str = ""


@dataclass(frozen=True)
class BuildingSpec:
    address: str
    use: str  # Building.Use value
    floors: int
    households: int
    resident_households: int
    population: int
    footprint: Polygon
    point: Point  # point on surface of the footprint
    grid: int  # index into Town.grids of the lowest-level grid holding it


@dataclass(frozen=True)
class RoadSpec:
    name: str
    kind: str  # Road.Kind value
    geom: LineString
    street_code: str = STREET_CODE


@dataclass(frozen=True)
class WaterSpec:
    name: str
    geom: MultiPolygon
    street_code: str = STREET_CODE


@dataclass(frozen=True)
class DepartmentSpec:
    code: str
    name: str
    tier: str  # Department.Tier value
    area_code: str


@dataclass(frozen=True)
class BusinessGridSpec:
    department_code: str
    code: str
    name: str
    geom: MultiPolygon


@dataclass(frozen=True)
class StaffSpec:
    name: str
    role: str  # StaffMember.Role value
    phone: str
    grids: tuple[int, ...]  # indices into Town.grids
    post: str = ""
    department_code: str | None = None


@dataclass(frozen=True)
class StationSpec:
    kind: str  # ServiceStation.Kind value
    name: str
    point: Point
    address: str
    opening_hours: str
    community_code: str


@dataclass(frozen=True)
class CategorySpec:
    code: str
    name: str
    parent_code: str | None


@dataclass(frozen=True)
class EventSpec:
    point: Point
    category_code: str
    description: str
    reported_at: datetime
    status: str  # Event.Status value
    grid: int  # index into Town.grids of the lowest-level grid containing the point


@dataclass(frozen=True)
class Dem:
    """Elevations (metres, float32, north-up rows) on a ~30 m lon/lat grid in EPSG:4490."""

    elevation: np.ndarray
    transform: Affine
    crs: str = f"EPSG:{STORAGE_EPSG}"


@dataclass(frozen=True)
class Town:
    areas: list[AreaSpec]
    grids: list[GridSpec]
    buildings: list[BuildingSpec]
    roads: list[RoadSpec]
    waters: list[WaterSpec]
    departments: list[DepartmentSpec]
    business_grids: list[BusinessGridSpec]
    staff: list[StaffSpec]
    stations: list[StationSpec]
    categories: list[CategorySpec]
    events: list[EventSpec]
    dem: Dem
