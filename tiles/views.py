"""Tile endpoints: thin views over `tiles.services` (tiles) and `tiles.selectors` (the map's catalogue).

Every endpoint needs a logged-in user and answers an anonymous one with an empty 403 (tile clients get no
login page to parse). A tile outside the pyramid, above the tileset's zoom range or of an unknown tileset
is an empty 404; below the range it is an empty tile. A configured raster that cannot be served (its file
missing or unreadable, a DEM not shaded yet) is a 404 with the API's error shape (`raster_missing`,
`raster_unreadable`, `raster_not_prepared`). Responses are private to the user and revalidated
with an ETag, since an edit can change a tile at any time.
"""
import hashlib

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from geogrid.core.api import json_error
from tiles import services
from tiles.coords import TileCoord
from tiles.layers import TILESETS, raster_sources
from tiles.raster import RasterUnavailable
from tiles.selectors import map_catalogue, tile_scope

MVT_TYPE = "application/vnd.mapbox-vector-tile"


def _refused(request: HttpRequest) -> HttpResponse | None:
    return None if request.user.is_authenticated else HttpResponse(status=403)


def _tile_response(request: HttpRequest, data: bytes, content_type: str) -> HttpResponse:
    etag = f'"{hashlib.blake2b(data, digest_size=12).hexdigest()}"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(data, content_type=content_type)
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    response["Vary"] = "Cookie"
    return response


@require_GET
def vector_tile(request: HttpRequest, tileset: str, z: int, x: int, y: int) -> HttpResponse:
    if refused := _refused(request):
        return refused
    layer, tile = TILESETS.get(tileset), TileCoord(z, x, y)
    if layer is None or not tile.is_valid() or z > layer.maxzoom:
        return HttpResponse(status=404)
    scope = tile_scope(request.user, layer)
    data = b"" if scope is None or z < layer.minzoom else services.vector_tile(layer, tile, scope)
    return _tile_response(request, data, MVT_TYPE)


@require_GET
def raster_tile(request: HttpRequest, name: str, z: int, x: int, y: int) -> HttpResponse:
    if refused := _refused(request):
        return refused
    raster, tile = raster_sources().get(name), TileCoord(z, x, y)
    if raster is None or not tile.is_valid() or z > raster.maxzoom:
        return HttpResponse(status=404)
    try:
        data = services.raster_tile(raster, tile)
    except RasterUnavailable as error:
        return json_error(error.code, error.message, status=error.status)
    return _tile_response(request, data, "image/png")


@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    """The user's map layers (see `tiles.selectors.map_catalogue`)."""
    if refused := _refused(request):
        return refused

    def template(view: str, name: str) -> str:
        return reverse(view, args=[name, 0, 0, 0]).replace("/0/0/0.", "/{z}/{x}/{y}.")

    return JsonResponse(map_catalogue(request.user, lambda n: template("tiles-vector", n),
                                      lambda n: template("tiles-raster", n)),
                        json_dumps_params={"ensure_ascii": False})
