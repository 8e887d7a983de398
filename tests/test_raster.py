"""Raster layers that cannot be served (file missing, not a raster, DEM not shaded yet) are left out of the map's
catalogue and their tiles answer 404 with a code, never a 500; `prepare_rasters` shades a DEM once."""
import io
import os
import shutil
import warnings

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from rasterio.errors import NotGeoreferencedWarning
from rasterio.io import MemoryFile

from tiles.coords import tile_at
from tiles.hillshade import hillshade_is_current, hillshade_path
from tiles.layers import raster_sources
from tiles.models import Tile

pytestmark = pytest.mark.django_db

TILE = "/tiles/raster/{name}/14/13138/6917.png"


@pytest.fixture
def client() -> Client:
    client = Client()
    client.force_login(User.objects.get(username="street"))
    return client


def configure(settings, **rasters) -> None:
    settings.GEOGRID_RASTERS = {**settings.GEOGRID_RASTERS, **rasters}


def assert_refused(client: Client, name: str, code: str, message: str) -> None:
    response = client.get(TILE.format(name=name))
    assert response.status_code == 404
    assert response.json() == {"code": code, "message": message, "field": None}
    assert not Tile.objects.filter(tileset=f"raster:{name}").exists()
    catalogue = client.get("/tiles/catalogue.json")
    assert catalogue.status_code == 200 and name not in catalogue.json()["raster"]
    assert "hillshade" in catalogue.json()["raster"]  # the demo's own layer is still listed


@pytest.mark.parametrize("style", ["rgb", "hillshade"])
def test_a_raster_whose_file_is_missing_is_not_listed_and_its_tiles_are_404(settings, tmp_path, client, style):
    configure(settings, photo={"path": tmp_path / "photo.tif", "style": style, "label": "正射影像"})
    assert_refused(client, "photo", "raster_missing", "栅格图层“正射影像”的文件不存在")


@pytest.mark.parametrize("style", ["rgb", "hillshade"])
def test_a_raster_whose_file_is_not_a_raster_is_not_listed_and_its_tiles_are_404(settings, tmp_path, client, style):
    garbage = tmp_path / "photo.tif"
    garbage.write_bytes(b"II*\x00" + os.urandom(4096))  # a TIFF signature, then noise
    configure(settings, photo={"path": garbage, "style": style, "label": "正射影像"})
    assert_refused(client, "photo", "raster_unreadable", "栅格图层“正射影像”的文件不是 GDAL 能读取的栅格")


def test_a_dem_is_shaded_once_by_prepare_rasters_and_again_only_when_it_changes(settings, tmp_path, client):
    dem = tmp_path / "dem.tif"
    shutil.copyfile(raster_sources()["hillshade"].path, dem)
    configure(settings, relief={"path": dem, "style": "hillshade", "label": "新地形"})
    assert_refused(client, "relief", "raster_not_prepared",
                   "栅格图层“新地形”的地形晕渲尚未生成：请运行 manage.py prepare_rasters")

    out = io.StringIO()
    call_command("prepare_rasters", stdout=out)
    assert "relief：已生成地形晕渲" in out.getvalue() and "hillshade：" not in out.getvalue()  # the demo's is current
    assert hillshade_is_current(dem)
    body = client.get("/tiles/catalogue.json").json()["raster"]
    assert body["relief"]["bounds"] == body["hillshade"]["bounds"]
    response = client.get(TILE.format(name="relief"))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    made = hillshade_path(dem).stat().st_mtime_ns

    out = io.StringIO()
    call_command("prepare_rasters", stdout=out)
    assert out.getvalue() == "" and hillshade_path(dem).stat().st_mtime_ns == made  # once: nothing to do

    shutil.copyfile(raster_sources()["hillshade"].path, dem)  # the DEM replaced: its hillshade is out of date
    assert not hillshade_is_current(dem)
    assert client.get(TILE.format(name="relief")).json()["code"] == "raster_not_prepared"
    call_command("prepare_rasters", stdout=io.StringIO())
    assert client.get(TILE.format(name="relief")).status_code == 200


def test_prepare_rasters_skips_what_it_cannot_read_and_says_why(settings, tmp_path):
    garbage = tmp_path / "dem.tif"
    garbage.write_bytes(os.urandom(2048))
    configure(settings, relief={"path": garbage, "style": "hillshade", "label": "新地形"},
              gone={"path": tmp_path / "gone.tif", "style": "hillshade", "label": "旧地形"})
    out = io.StringIO()
    call_command("prepare_rasters", stdout=out)
    assert "relief：已跳过（栅格图层“新地形”的文件不是 GDAL 能读取的栅格）" in out.getvalue()
    assert "gone：已跳过（栅格图层“旧地形”的文件不存在）" in out.getvalue()
    assert not hillshade_path(garbage).exists()


def test_a_raster_that_opens_but_whose_data_is_cut_short_answers_404_not_500(settings, tmp_path, client):
    """The catalogue only opens a file (its header is sound here, so it is listed); the tile read finds the
    data cut short and answers `raster_unreadable`."""
    whole = hillshade_path(raster_sources()["hillshade"].path).read_bytes()
    cut = tmp_path / "photo.tif"
    cut.write_bytes(whole[:len(whole) // 3])
    configure(settings, photo={"path": cut, "style": "rgb", "label": "正射影像"})
    bounds = client.get("/tiles/catalogue.json").json()["raster"]["photo"]["bounds"]
    tile = tile_at((bounds[0] + bounds[2]) / 2, bounds[1] + 0.001, 15)  # the south: the file's last rows
    response = client.get(f"/tiles/raster/photo/{tile.z}/{tile.x}/{tile.y}.png")
    assert response.status_code == 404
    assert response.json() == {"code": "raster_unreadable", "field": None,
                               "message": "栅格图层“正射影像”的文件不是 GDAL 能读取的栅格"}


def test_a_one_band_photo_is_drawn_in_grey(settings, client):
    shade = hillshade_path(raster_sources()["hillshade"].path)
    configure(settings, photo={"path": shade, "style": "rgb", "label": "正射影像"})
    west, south, east, north = client.get("/tiles/catalogue.json").json()["raster"]["photo"]["bounds"]
    tile = tile_at((west + east) / 2, (south + north) / 2, 15)
    response = client.get(f"/tiles/raster/photo/{tile.z}/{tile.x}/{tile.y}.png")
    assert response.status_code == 200
    with warnings.catch_warnings(), MemoryFile(response.content) as memory, memory.open() as png:
        warnings.simplefilter("ignore", NotGeoreferencedWarning)  # a tile is a plain picture
        rgba = png.read()
    assert rgba.shape == (4, 256, 256) and (rgba[3] == 255).all()
    assert (rgba[0] == rgba[1]).all() and (rgba[1] == rgba[2]).all() and rgba[0].std() > 0
