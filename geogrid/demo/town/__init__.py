"""Deterministic generator of the demo town: 城关街道 in 三穗县 (Guizhou), at real coordinates, and east of it a
small second street, 武笔街道 (`street2`), so that scoping across streets can be tested.

Pure: shapely, numpy, scipy, pyproj and rasterio's Affine, no Django and no database. The one project import
is the default category tree (`geogrid.events.category_tree`, plain data), whose names the demo's tickets use.
`generate_town()` returns a `Town` of plain dataclasses: geometries are shapely
objects in CGCS2000 (EPSG:4490) and choice fields hold the string values the models use (`Grid.Kind`,
`Building.Use`, ...). `geogrid.demo.services` loads it.

How the geometry is built, and why:

1. Everything is drawn in metres (CGCS2000 / 3-degree GK CM 108E, EPSG:4545) in a frame centred on the
   town, and projected to EPSG:4490 only at the very end (`frame`).
2. Every grid of every level is made of faces of ONE noded line arrangement (Voronoi edges of grid seeds,
   the street outline, facility rectangles, the estate's cut lines), so neighbouring grids share their
   edges vertex for vertex (`partition`). Communities, the street and parent grids are coverage unions of
   those faces: they consist of the very same vertices, so the database's containment checks hold exactly.
3. A smooth warp, zero in the urban core (straight streets, rectangular compounds) and growing towards
   the periphery, bends the straight Voronoi edges into winding rural roads (`areas.warp`). It depends on
   the point only and runs once per distinct vertex, so shared vertices stay bit-identical.
4. Roads are the shared grid edges: grid boundaries are road centre lines by construction (`roads`).
   Buildings keep a clearance from every grid boundary, so no footprint is cut by a boundary or stands on a
   road (`buildings`).
5. Projection to EPSG:4490 and rounding to 1e-7° (about 1 cm) run once per distinct vertex over all
   geometries together; the result is checked (validity, exact coverages, footprints inside their grids)
   before it is returned (`frame.project`, `frame.check`).

Each step is a function of what it is given, returning values; `generate_town` composes them. Each step
draws from its own random stream (`geometry.stream(seed, purpose)`), so changing one part of the town
leaves the others as they were.
"""
from __future__ import annotations

from shapely import MultiPolygon

from geogrid.demo.town import people, tickets
from geogrid.demo.town.addresses import addresses
from geogrid.demo.town.areas import areas, communities, warp
from geogrid.demo.town.buildings import buildings
from geogrid.demo.town.constants import (CENTRE_LONLAT, COUNTY_CODE, COUNTY_NAME, DEPARTMENTS, ESTATE_NAME,
                                         ESTATE_UNITS, EVENT_COUNT, EVENT_WINDOW_DAYS, FACILITIES, METRIC_EPSG,
                                         REFERENCE_TIME, SEED, STORAGE_EPSG, STREET2_CODE, STREET2_COMMUNITIES,
                                         STREET2_EVENTS, STREET2_NAME, STREET2_POLICE, STREET2_ROADS, STREET_CODE,
                                         STREET_NAME, STREETS, URBAN_COMMUNITIES, VILLAGES, DepartmentPlan,
                                         street_code_of)
from geogrid.demo.town.departments import departments
from geogrid.demo.town.frame import Frame, check, project
from geogrid.demo.town.geometry import polygons_only, stream
from geogrid.demo.town.partition import partition
from geogrid.demo.town.roads import road_network
from geogrid.demo.town.specs import (AreaSpec, BuildingSpec, BusinessGridSpec, CategorySpec, Dem, DepartmentSpec,
                                     EventSpec, GridSpec, RoadSpec, StaffSpec, StationSpec, Town, WaterSpec)
from geogrid.demo.town.street2 import second_street
from geogrid.demo.town.terrain import dem

__all__ = [
    "CENTRE_LONLAT", "COUNTY_CODE", "COUNTY_NAME", "DEPARTMENTS", "ESTATE_NAME", "ESTATE_UNITS", "EVENT_COUNT",
    "EVENT_WINDOW_DAYS", "FACILITIES", "METRIC_EPSG", "REFERENCE_TIME", "SEED", "STORAGE_EPSG", "STREET2_CODE",
    "STREET2_COMMUNITIES", "STREET2_EVENTS", "STREET2_NAME", "STREET2_POLICE", "STREET2_ROADS", "STREET_CODE",
    "STREET_NAME", "STREETS", "URBAN_COMMUNITIES", "VILLAGES", "DepartmentPlan", "street_code_of",
    "AreaSpec", "BuildingSpec", "BusinessGridSpec", "CategorySpec", "Dem", "DepartmentSpec", "EventSpec",
    "GridSpec", "RoadSpec", "StaffSpec", "StationSpec", "Town", "WaterSpec", "generate_town",
]


def generate_town(seed: int = SEED) -> Town:
    """The demo town, identical for identical seeds."""
    frame = Frame.around_centre()
    drawn = partition(stream(seed, "partition"))
    grids = communities(warp(stream(seed, "warp"), drawn.grids), drawn.seeds, drawn.urban_seed_count)
    town_areas = areas(grids)
    network = road_network(grids, town_areas.street, drawn.estate_paths)
    built = buildings(stream(seed, "buildings"), grids, network, drawn.facility_rects, drawn.estate_units,
                      town_areas.names)
    roads = network.roads + built.access_roads
    homes = addresses(stream(seed, "addresses"), built.buildings, roads, built.facility_buildings)
    staff = people.staff(stream(seed, "staff"), grids, homes, town_areas.names.keys())
    stations = people.stations(grids, homes, built.facility_buildings[0][0], town_areas.geoms, town_areas.names,
                               built.hamlets)
    events = tickets.events(stream(seed, "events"), grids, homes)
    town_departments, business_grids = departments(stream(seed, "departments"), grids, network.neighbours)
    second = second_street(seed, grids, roads, network.river, town_areas.street, staff)
    all_grids = grids + second.grids
    town = Town(
        areas=town_areas.specs + second.areas,
        grids=[GridSpec(name=g.name, kind=g.kind, level=g.level, setting=g.setting, community_code=g.community,
                        geom=MultiPolygon([g.geom]), parent=g.parent, exclusive_type=g.exclusive_type)
               for g in all_grids],
        buildings=[BuildingSpec(address=b.address, use=b.use, floors=b.floors, households=b.households,
                                resident_households=b.resident_households, population=b.population,
                                footprint=b.footprint, point=b.footprint.point_on_surface(), grid=b.grid)
                   for b in homes + second.buildings],
        roads=roads + second.roads,
        waters=[WaterSpec(name="八弓河", geom=polygons_only(network.river.buffer(10.0)))],
        departments=town_departments + second.departments,
        business_grids=business_grids + second.business_grids,
        staff=staff + second.staff,
        stations=stations,
        categories=tickets.categories(),
        events=events + second.events,
        dem=dem(stream(seed, "dem"), frame, town_areas.street, second.street, network.river),
    )
    town = project(frame, town)
    check(town)
    return town
