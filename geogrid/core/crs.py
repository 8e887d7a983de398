"""Coordinate systems accepted from clients. Unknown systems are refused, never guessed."""
from dataclasses import dataclass

from django.contrib.gis.gdal import SpatialReference
from django.contrib.gis.gdal.error import GDALException
from django.contrib.gis.geos import Point

STORAGE_SRID = 4490  # CGCS2000

NAMED_CRS = {"wgs84": 4326, "cgcs2000": STORAGE_SRID}
PLANNED_CRS = {"gcj02", "bd09"}  # shifted Chinese web-map systems; converters come with the import work

# China's extent in lon/lat, generous by a degree: anything outside is a swapped or wrong coordinate.
CHINA_BOUNDS = (72.0, 3.0, 136.0, 54.5)


class CoordinateError(ValueError):
    """A coordinate or coordinate system a client sent cannot be used; the message says why."""


@dataclass(frozen=True)
class ParsedPoint:
    point: Point  # in the storage CRS
    crs: str  # as the client named it


def parse_srid(crs: str | None) -> int:
    """Map a client's CRS name (`wgs84`, `cgcs2000`, `EPSG:nnnn`) to an SRID, or refuse it."""
    name = (crs or "cgcs2000").strip().lower()
    if name in NAMED_CRS:
        return NAMED_CRS[name]
    if name in PLANNED_CRS:
        raise CoordinateError(f"坐标系 {crs} 暂不支持（需先换算为 wgs84 或 cgcs2000）/ {crs} is not supported yet")
    if name.startswith("epsg:") and name[5:].isdigit():
        srid = int(name[5:])
        try:
            SpatialReference(srid)
        except GDALException:
            raise CoordinateError(f"未知的坐标系 {crs} / unknown coordinate system {crs}") from None
        return srid
    raise CoordinateError(
        f"无法识别的坐标系 {crs!r}，可用 wgs84、cgcs2000 或 EPSG:代码 / unknown coordinate system {crs!r}"
    )


def _in_china(lon: float, lat: float) -> bool:
    west, south, east, north = CHINA_BOUNDS
    return west <= lon <= east and south <= lat <= north


def _swap_hint(lon: float, lat: float) -> str:
    """A hint when the coordinates would be in China with longitude and latitude exchanged."""
    return "，经纬度是否写反了？/ are lon and lat swapped?" if _in_china(lat, lon) else ""


def parse_point(x: str | float | None, y: str | float | None, crs: str | None = None) -> ParsedPoint:
    """Parse a client's point, transform it to CGCS2000 and check it lies in China."""
    try:
        fx, fy = float(x), float(y)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise CoordinateError("坐标必须是数字 / coordinates must be numbers") from None
    if fx != fx or fy != fy or fx in (float("inf"), float("-inf")) or fy in (float("inf"), float("-inf")):
        raise CoordinateError("坐标必须是有限数字 / coordinates must be finite numbers")
    srid = parse_srid(crs)
    geographic = SpatialReference(srid).geographic
    if geographic and not (-180 <= fx <= 180 and -90 <= fy <= 90):
        raise CoordinateError(f"经纬度超出范围：lon={fx}, lat={fy}{_swap_hint(fx, fy)} / longitude or latitude out of range")
    point = Point(fx, fy, srid=srid)
    if srid != STORAGE_SRID:
        point.transform(STORAGE_SRID)
    if not _in_china(point.x, point.y):
        raise CoordinateError(
            f"坐标不在中国境内：lon={point.x:.6f}, lat={point.y:.6f}{_swap_hint(point.x, point.y)} / point is outside China"
        )
    return ParsedPoint(point=point, crs=(crs or "cgcs2000"))
