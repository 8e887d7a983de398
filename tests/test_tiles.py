"""Vector and raster tiles on the demo town: decoded content, scopes, zoom ranges, the cache and its triggers.

Tiles are decoded with mapbox-vector-tile and checked against the demo data; which tiles an edit must
invalidate is worked out here in Python (tile arithmetic and shapely), not with the SQL under test.
"""
import re
import warnings

import mapbox_vector_tile
import numpy as np
import pytest
import shapely
from django.contrib.auth.models import User
from django.contrib.gis.geos import Point
from django.db import connection
from django.test import Client
from pyproj import Transformer
from rasterio.errors import NotGeoreferencedWarning
from rasterio.io import MemoryFile
from rasterio.warp import transform_bounds
from shapely.geometry import shape

from geogrid.areas.models import Area
from geogrid.demo.town import STREET_CODE
from geogrid.events.models import Event
from geogrid.grids.models import Grid
from geogrid.roads.models import Road
from geogrid.stations.models import ServiceStation
from tests.helpers import interior_point_of, one
from tiles import services
from tiles.coords import MARGIN, MVT_EXTENT, TileCoord, tile_at, tiles_covering
from tiles.hillshade import hillshade_is_current, hillshade_path
from tiles.layers import TILESETS, raster_sources
from tiles.models import Tile
from tiles.raster import HILLSHADE_COLORMAP
from tiles.selectors import render_vector_tile, tileset_epoch

pytestmark = pytest.mark.django_db

TO_MERCATOR = Transformer.from_crs(4490, 3857, always_xy=True)


@pytest.fixture(autouse=True)
def empty_tile_cache():
    """Each test starts from an empty cache (browser tests leave committed tiles behind); rolled back after."""
    Tile.objects.all().delete()


def client_for(username: str | None) -> Client:
    client = Client()
    if username is not None:
        client.force_login(User.objects.get(username=username))
    return client


def get_tile(client: Client, tileset: str, tile: TileCoord):
    return client.get(f"/tiles/{tileset}/{tile.z}/{tile.x}/{tile.y}.mvt")


def decode(data: bytes) -> dict:
    return mapbox_vector_tile.decode(data, default_options={"y_coord_down": True})


def tile_pixel(tile: TileCoord, lon: float, lat: float) -> shapely.Point:
    """The point in the tile's own MVT coordinates (0..4096, y down)."""
    x, y = TO_MERCATOR.transform(lon, lat)
    left, _, _, top = tile.bounds_3857()
    return shapely.Point((x - left) / tile.size_m * MVT_EXTENT, (top - y) / tile.size_m * MVT_EXTENT)


def codes_in(client: Client, tileset: str, tiles: list[TileCoord], layer: str = "grids") -> set[str]:
    codes = set()
    for tile in tiles:
        response = get_tile(client, tileset, tile)
        assert response.status_code == 200
        codes |= {f["properties"]["code"] for f in decode(response.content).get(layer, {"features": []})["features"]}
    return codes


def street_tiles(z: int) -> list[TileCoord]:
    return tiles_covering(*Area.objects.get(code=STREET_CODE).geom.extent, z)


def leaf_grid() -> Grid:
    return (Grid.objects.current().filter(level=1, kind="comprehensive", children__isnull=True)
            .order_by("code").first())


# ---- content -------------------------------------------------------------------------------------------


def test_the_grid_drawn_at_a_grids_interior_point_is_that_grid():
    grid = leaf_grid()
    lon, lat = interior_point_of(grid.code)
    tile = tile_at(lon, lat, 15)
    response = get_tile(client_for("admin"), "grids-1", tile)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    layers = decode(response.content)
    point = tile_pixel(tile, lon, lat)
    hits = [f["properties"] for f in layers["grids"]["features"] if shape(f["geometry"]).contains(point)]
    assert [h["code"] for h in hits] == [grid.code]
    assert hits[0] == {"id": grid.id, "code": grid.code, "name": grid.name, "level": 1, "kind": grid.kind,
                       "exclusive_type": grid.exclusive_type}
    labels = {f["properties"]["code"]: f["properties"] for f in layers["grid_labels"]["features"]}
    assert labels[grid.code]["name"] == grid.name and labels[grid.code]["w"] > 0


def test_each_level_has_its_own_tileset_of_current_grids_only():
    level3 = Grid.objects.current().filter(level=3).order_by("code").first()
    lon, lat = interior_point_of(level3.code)
    client = client_for("admin")
    for level in (1, 2, 3):
        tile = tile_at(lon, lat, 16)
        features = decode(get_tile(client, f"grids-{level}", tile).content)["grids"]["features"]
        assert {f["properties"]["level"] for f in features} == {level}
    closed = Grid.objects.exclude(generation_high=None).values_list("code", flat=True)
    drawn = codes_in(client, "grids-1", street_tiles(14))
    assert set(Grid.objects.current().in_area(STREET_CODE).filter(level=1).values_list("code", flat=True)) <= drawn
    assert drawn <= set(Grid.objects.current().filter(level=1).values_list("code", flat=True))
    assert not set(closed) - set(Grid.objects.current().values_list("code", flat=True)) & drawn


def test_a_community_user_sees_only_its_communitys_grids():
    community = User.objects.get(username="community").scope.area
    tiles = street_tiles(14)
    own = set(Grid.objects.current().filter(level=1, community=community).values_list("code", flat=True))
    assert own and codes_in(client_for("community"), "grids-1", tiles) == own
    assert codes_in(client_for("street"), "grids-1", tiles) > own


def test_points_and_areas_follow_the_users_scope():
    community = User.objects.get(username="community").scope.area
    tiles = street_tiles(13)

    def names(username: str, tileset: str, layer: str, key: str = "name") -> set:
        client = client_for(username)
        return {f["properties"][key] for t in tiles for f in decode(get_tile(client, tileset, t).content)
                .get(layer, {"features": []})["features"]}

    assert names("community", "areas", "areas", "code") == {community.code}
    assert names("street", "areas", "areas", "code") >= {STREET_CODE, community.code}
    own_stations = set(community.stations.values_list("name", flat=True))
    assert names("community", "stations", "stations") == own_stations
    assert names("street", "stations", "stations") > own_stations
    own_events = set(Event.objects.filter(community=community).values_list("id", flat=True))
    assert own_events and names("community", "events", "events", "id") == own_events
    # Departments see only the tickets routed to them, in their lists: none on the map's tiles.
    assert names("police", "events", "events", "id") == set()
    due = {f["properties"]["id"]: f["properties"].get("due") for t in tiles
           for f in decode(get_tile(client_for("street"), "events", t).content).get("events", {"features": []})["features"]}
    open_event = Event.objects.filter(community=community, status="handling").first()
    assert due[open_event.pk] == int(open_event.due_at.timestamp())  # the map marks it overdue when past
    # Roads and water are public linework: the same tiles for every user with a scope.
    assert names("community", "basemap", "roads", "id") == names("admin", "basemap", "roads", "id")


def test_a_user_without_a_scope_gets_empty_tiles():
    User.objects.create_user("nobody")
    response = get_tile(client_for("nobody"), "grids-1", street_tiles(14)[0])
    assert response.status_code == 200 and response.content == b""
    assert get_tile(client_for("nobody"), "basemap", street_tiles(14)[0]).content == b""


def test_business_grids_carry_their_department():
    features = [f for t in street_tiles(13)
                for f in decode(get_tile(client_for("police"), "business-grids", t).content)["business_grids"]
                ["features"]]
    departments = {f["properties"]["department_name"] for f in features}
    assert "城关派出所" in departments and len(departments) > 1


def test_buildings_appear_from_their_minzoom_only():
    building = one("SELECT ST_X(point), ST_Y(point) FROM buildings_building WHERE footprint IS NOT NULL "
                   "ORDER BY id LIMIT 1")
    client = client_for("admin")
    assert TILESETS["buildings"].minzoom == 14
    for z in (10, 13):
        response = get_tile(client, "buildings", tile_at(*building, z))
        assert response.status_code == 200 and response.content == b""
    for z in (14, 17):
        tile = tile_at(*building, z)
        features = decode(get_tile(client, "buildings", tile).content)["buildings"]["features"]
        assert any(shape(f["geometry"]).buffer(2).contains(tile_pixel(tile, *building)) for f in features)
    # Small roads join the basemap at z13, the main roads are there from z8.
    low = decode(get_tile(client, "basemap", tile_at(*building, 10)).content)["roads"]["features"]
    high = decode(get_tile(client, "basemap", tile_at(*building, 15)).content)["roads"]["features"]
    assert {f["properties"]["kind"] for f in low} <= {"primary", "secondary"}
    assert "residential" in {f["properties"]["kind"] for f in high}


def test_a_z8_tile_is_small_and_simplified():
    tile = tile_at(*interior_point_of(leaf_grid().code), 8)
    client = client_for("admin")
    for tileset in ("grids-1", "areas"):
        data = get_tile(client, tileset, tile).content
        assert 0 < len(data) < 16_000
    vertices = sum(len(shapely.get_coordinates(shape(f["geometry"])))
                   for f in decode(get_tile(client, "areas", tile).content)["areas"]["features"])
    stored = one("SELECT sum(ST_NPoints(geom)) FROM areas_area WHERE kind <> 'county'")[0]
    assert vertices < stored / 4


# ---- requests that are refused -------------------------------------------------------------------------


@pytest.mark.parametrize("path", [
    "/tiles/parcels/14/13138/6917.mvt",  # not in the whitelist
    "/tiles/grids_grid/14/13138/6917.mvt",
    "/tiles/grids-1/14/16384/6917.mvt",  # x >= 2^z
    "/tiles/grids-1/3/0/8.mvt",
    "/tiles/grids-1/23/0/0.mvt",  # beyond the pyramid
    "/tiles/grids-1/21/0/0.mvt",  # beyond the tileset's maxzoom
    "/tiles/raster/dem/14/13138/6917.png",
    "/tiles/raster/hillshade/14/16384/6917.png",
])
def test_unknown_layers_and_tiles_outside_the_pyramid_are_404(path):
    response = client_for("admin").get(path)
    assert response.status_code == 404 and response.content == b""


@pytest.mark.parametrize("path", ["/tiles/grids-1/14/13138/6917.mvt", "/tiles/raster/hillshade/14/13138/6917.png",
                                  "/tiles/catalogue.json"])
def test_anonymous_requests_are_refused_without_content(path):
    response = Client().get(path)
    assert response.status_code == 403 and response.content == b""


# ---- the cache -----------------------------------------------------------------------------------------


def cached(tileset: str) -> set[tuple[int, int, int]]:
    return set(Tile.objects.filter(tileset=tileset).values_list("z", "x", "y"))


def test_a_cache_hit_returns_the_same_bytes_from_the_cache():
    tile = tile_at(*interior_point_of(leaf_grid().code), 15)
    client = client_for("street")
    first = get_tile(client, "grids-1", tile)
    row = Tile.objects.get(tileset="grids-1", scope="522624001", z=tile.z, x=tile.x, y=tile.y)
    assert bytes(row.data) == first.content == render_vector_tile(TILESETS["grids-1"], tile, "522624001")
    second = get_tile(client, "grids-1", tile)
    assert second.content == first.content and second["ETag"] == first["ETag"]
    assert client.get(f"/tiles/grids-1/{tile.z}/{tile.x}/{tile.y}.mvt",
                      HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    # Served from the row, not rendered again: a doctored row is what comes back.
    Tile.objects.filter(pk=row.pk).update(data=b"cached")
    assert get_tile(client, "grids-1", tile).content == b"cached"


def fill_cache(tilesets: list[str], west: float, south: float, east: float, north: float) -> None:
    client = client_for("admin")
    for z in (13, 14, 15, 16):
        for tile in tiles_covering(west, south, east, north, z):
            for tileset in tilesets:
                get_tile(client, tileset, tile)


def touching(tiles: set[tuple[int, int, int]], *geometries) -> set[tuple[int, int, int]]:
    """The tiles whose envelope (grown by the MVT buffer) meets any of the geometries (lon/lat, shapely)."""
    return {t for t in tiles if any(shapely.box(*TileCoord(*t).bounds_lonlat(MARGIN)).intersects(g)
                                    for g in geometries)}


def test_editing_a_grid_deletes_exactly_the_tiles_its_old_and_new_geometry_touch():
    grid = leaf_grid()
    west, south, east, north = grid.geom.extent
    fill_cache(["grids-1", "grids-2", "basemap"], west - 0.01, south - 0.01, east + 0.01, north + 0.01)
    before = {name: cached(name) for name in ("grids-1", "grids-2", "basemap")}
    old = shapely.from_wkb(bytes(grid.geom.wkb))

    # A derived count is not drawn: no tile changes.
    Grid.objects.filter(pk=grid.pk).update(population=grid.population + 7)
    assert {name: cached(name) for name in before} == before

    # Keep the grid's western half (it must stay inside its community).
    with connection.cursor() as cursor:
        cursor.execute("UPDATE grids_grid SET geom = ST_Multi(ST_CollectionExtract(ST_Intersection(geom, "
                       "ST_MakeEnvelope(%s, %s, %s, %s, 4490)), 3)) WHERE id = %s",
                       [west, south, (west + east) / 2, north, grid.pk])
    grid.refresh_from_db()
    new = shapely.from_wkb(bytes(grid.geom.wkb))
    gone = touching(before["grids-1"], old, new)
    assert gone and before["grids-1"] - gone, "the test needs tiles on both sides"
    assert cached("grids-1") == before["grids-1"] - gone
    assert cached("grids-2") == before["grids-2"] - touching(before["grids-2"], old, new)
    assert cached("basemap") == before["basemap"]  # other tilesets are untouched
    # Re-rendered on the next request, with the new geometry.
    tile = TileCoord(*min(gone))
    get_tile(client_for("admin"), "grids-1", tile)
    assert (tile.z, tile.x, tile.y) in cached("grids-1")


def test_moving_a_road_deletes_the_tiles_of_its_old_and_new_place():
    road = Road.objects.order_by("id").first()
    west, south, east, north = road.geom.extent
    fill_cache(["basemap", "grids-1"], west - 0.006, south - 0.006, east + 0.006, north + 0.006)
    before, grids_before = cached("basemap"), cached("grids-1")
    old = shapely.from_wkb(bytes(road.geom.wkb))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE roads_road SET geom = ST_Translate(geom, 0.004, 0.003) WHERE id = %s", [road.pk])
    road.refresh_from_db()
    new = shapely.from_wkb(bytes(road.geom.wkb))
    gone = touching(before, old, new)
    assert touching(before, new) - touching(before, old), "the new place must reach tiles the old did not"
    assert cached("basemap") == before - gone
    assert cached("grids-1") == grids_before


def test_deleting_and_inserting_rows_invalidate_too():
    grid = leaf_grid()
    lon, lat = interior_point_of(grid.code)
    fill_cache(["stations"], lon - 0.01, lat - 0.01, lon + 0.01, lat + 0.01)
    before = cached("stations")
    station = ServiceStation.objects.create(kind="convenience", name="测试便民点", point=Point(lon, lat, srid=4490))
    spot = shapely.Point(lon, lat)
    assert cached("stations") == before - touching(before, spot)
    fill_cache(["stations"], lon - 0.01, lat - 0.01, lon + 0.01, lat + 0.01)
    assert cached("stations") == before
    station.delete()
    assert cached("stations") == before - touching(before, spot)


def test_truncating_a_source_table_empties_its_tilesets():
    fill_cache(["basemap", "stations"], *Area.objects.get(code=STREET_CODE).geom.extent)
    assert cached("basemap") and cached("stations")
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE roads_water CASCADE")
    assert not cached("basemap") and cached("stations")


def test_a_tile_rendered_before_an_edit_is_not_cached_after_it():
    tileset, tile = TILESETS["grids-1"], tile_at(*interior_point_of(leaf_grid().code), 15)
    epoch = tileset_epoch("grids-1")
    stale = render_vector_tile(tileset, tile, "")
    Grid.objects.filter(pk=leaf_grid().pk).update(name="改名网格")  # an edit lands meanwhile
    assert tileset_epoch("grids-1") == epoch + 1
    assert services.store_vector_tile("grids-1", "", tile, stale, epoch) is False
    assert not Tile.objects.filter(tileset="grids-1").exists()
    fresh = render_vector_tile(tileset, tile, "")
    assert services.store_vector_tile("grids-1", "", tile, fresh, epoch + 1) is True
    assert "改名网格" in {f["properties"]["name"] for f in decode(fresh)["grids"]["features"]}


def trigger_tilesets() -> dict[str, set[str]]:
    """{table: tilesets its tiles_* triggers invalidate}, read from pg_trigger."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgrelid::regclass::text, encode(tgargs, 'escape') FROM pg_trigger "
                       "WHERE tgname LIKE 'tiles\\_%%' AND NOT tgisinternal")
        found: dict[str, set[str]] = {}
        for table, args in cursor.fetchall():
            first = args.split("\\000")[0]
            found.setdefault(table, set()).update(first.strip("{}").split(","))
    return found


def test_every_table_a_tileset_reads_has_invalidation_triggers():
    triggers = trigger_tilesets()
    for tileset in TILESETS.values():
        for source in tileset.sources:
            for table in re.findall(r"\b([a-z]+_[a-z]+)\s+[a-z]+\b", source.from_sql):
                assert tileset.name in triggers.get(table, set()), (tileset.name, table)


# ---- raster tiles --------------------------------------------------------------------------------------


def read_png(data: bytes) -> np.ndarray:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)  # a tile is a plain picture
        with MemoryFile(data) as memory, memory.open() as png:
            assert (png.driver, png.width, png.height, png.count) == ("PNG", 256, 256, 4)
            return png.read()


def test_hillshade_tiles_are_opaque_over_the_dem_and_transparent_outside():
    raster = raster_sources()["hillshade"]
    client = client_for("community")
    with MemoryFile(raster.path.read_bytes()) as memory, memory.open() as dem:
        assert dem.overviews(1), "the demo DEM is a COG with overviews"
        west, south, east, north = dem.bounds
    inside = tile_at((west + east) / 2, (south + north) / 2, 15)
    response = client.get(f"/tiles/raster/hillshade/{inside.z}/{inside.x}/{inside.y}.png")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    rgba = read_png(response.content)
    assert (rgba[3] == 255).all() and rgba[:3].std() > 0  # opaque, and shaded (not one flat colour)

    edge = tile_at(west, (south + north) / 2, 13)  # the DEM's western edge crosses this tile
    alpha = read_png(client.get(f"/tiles/raster/hillshade/{edge.z}/{edge.x}/{edge.y}.png").content)[3]
    assert (alpha == 0).any() and (alpha == 255).any()
    outside = tile_at(west - 1, south - 1, 13)
    assert (read_png(client.get(f"/tiles/raster/hillshade/{outside.z}/{outside.x}/{outside.y}.png").content)[3]
            == 0).all()

    # Cached with the file's fingerprint, and served again identically.
    row = Tile.objects.get(tileset="raster:hillshade", z=inside.z, x=inside.x, y=inside.y)
    assert bytes(row.data) == response.content and row.source
    assert client.get(f"/tiles/raster/hillshade/{inside.z}/{inside.x}/{inside.y}.png").content == response.content


def test_a_raster_whose_file_is_missing_is_a_404_and_left_out_of_the_catalogue(settings, tmp_path):
    """A street loaded without the demo has no DEM: its tiles answer 404 `raster_missing`, never a 500."""
    settings.GEOGRID_RASTERS = {**settings.GEOGRID_RASTERS,
                                "hillshade": {**settings.GEOGRID_RASTERS["hillshade"], "path": tmp_path / "dem.tif"}}
    client = client_for("street")
    response = client.get("/tiles/raster/hillshade/14/13138/6917.png")
    assert response.status_code == 404
    assert response.json() == {"code": "raster_missing", "message": "栅格图层“地形晕渲”的文件不存在",
                               "field": None}
    assert not Tile.objects.filter(tileset="raster:hillshade").exists()
    assert "hillshade" not in client.get("/tiles/catalogue.json").json()["raster"]


def test_the_hillshade_is_made_once_beside_the_dem_as_a_cog_and_low_zooms_read_its_overviews():
    raster = raster_sources()["hillshade"]
    shade = hillshade_path(raster.path)
    assert hillshade_is_current(raster.path), "load_demo shaded the DEM it wrote"
    with MemoryFile(shade.read_bytes()) as memory, memory.open() as cog:
        assert cog.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG" and cog.overviews(1)
        assert (cog.dtypes[0], cog.nodata, cog.crs.to_epsg()) == ("uint8", 0, 3857)
        west, south, east, north = transform_bounds(cog.crs, 4326, *cog.bounds)
    client = client_for("street")
    low = tile_at((west + east) / 2, (south + north) / 2, 9)  # the whole DEM in a few pixels
    rgba = read_png(client.get(f"/tiles/raster/hillshade/{low.z}/{low.x}/{low.y}.png").content)
    assert 0 < (rgba[3] == 255).sum() < 256 * 256
    flat = HILLSHADE_COLORMAP[1 + round(254 * np.sin(np.radians(45)))]
    assert flat[:3] == (242, 240, 232)  # flat ground is the paper colour, as before


# ---- the map's catalogue -------------------------------------------------------------------------------


def test_the_catalogue_lists_the_users_layers_and_counts():
    community = User.objects.get(username="community").scope.area
    body = client_for("community").get("/tiles/catalogue.json").json()
    assert body["vector"]["grids-1"] == {"url": "/tiles/grids-1/{z}/{x}/{y}.mvt", "label": "一级网格",
                                         "minzoom": 8, "maxzoom": 20}
    assert body["raster"]["hillshade"]["url"] == "/tiles/raster/hillshade/{z}/{x}/{y}.png"
    assert body["counts"]["grids-1"] == Grid.objects.current().filter(level=1, community=community).count()
    west, south, east, north = body["bounds"]
    cw, cs, ce, cn = community.geom.extent
    assert cw - 1e-6 <= west < east <= ce + 1e-6 and cs - 1e-6 <= south < north <= cn + 1e-6
    assert body["online_basemaps"] == []  # intranet first: none unless configured
    police = client_for("police").get("/tiles/catalogue.json").json()
    assert "城关派出所" in {d["name"] for d in police["departments"]}


def test_online_basemaps_are_offered_only_when_configured(settings):
    settings.GEOGRID_ONLINE_BASEMAPS = [{"name": "OpenStreetMap", "url": "https://tile.example/{z}/{x}/{y}.png",
                                         "attribution": "© OpenStreetMap"}]
    body = client_for("street").get("/tiles/catalogue.json").json()
    assert [b["name"] for b in body["online_basemaps"]] == ["OpenStreetMap"]


def test_cgcs2000_relabelled_as_wgs84_projects_exactly_as_a_transform_from_cgcs2000():
    """tiles.layers.to_mercator relies on PROJ's CGCS2000 -> WGS 84 step being a null transformation."""
    worst = one("SELECT max(ST_HausdorffDistance(ST_Transform(geom, 3857), "
                "ST_Transform(ST_SetSRID(geom, 4326), 3857))) FROM grids_grid")[0]
    assert worst == 0
    envelope = one("SELECT ST_Equals(ST_Transform(ST_TileEnvelope(14, 13138, 6917), 4490), "
                   "ST_SetSRID(ST_Transform(ST_TileEnvelope(14, 13138, 6917), 4326), 4490))")[0]
    assert envelope
