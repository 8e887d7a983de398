"""The coordinate systems clients and files may name, and the one way into and out of storage.

Storage is CGCS2000 lon/lat (EPSG:4490). Accepted names:
- `wgs84` (EPSG:4326) and `cgcs2000` (EPSG:4490), which differ by centimetres;
- `gcj02` and `bd09`, the shifted systems of Chinese web maps and phone apps (see `chinacrs`): their
  unshifted WGS84 is taken as CGCS2000;
- `EPSG:nnnn` for any geographic or projected system PROJ knows on the CGCS2000 or WGS84 datum, notably the
  CGCS2000 Gauss-Krüger zones EPSG:4491-4554 that surveying contractors deliver, or on another datum with a
  published exact transformation to CGCS2000. Beijing 1954 and Xian 1980 have none (PROJ would silently
  fall back to a "ballpark" transformation, off by tens of metres or more), so they must be converted
  with local parameters first.
Anything else is refused, never guessed: a wrong guess moves every point, silently.

Coordinates are also checked against their system's area of use and China's extent, and a refusal says
the likely cause (swapped axes, metres declared as degrees or the reverse, a wrong Gauss-Krüger zone) and
which feature it is, so an import can tell its user exactly what to fix.
"""
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import shapely
from django.conf import settings
from django.contrib.gis.geos import Point
from numpy.typing import ArrayLike, NDArray
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError, ProjError

from django.utils.translation import gettext as _

from geogrid.core import chinacrs

STORAGE_SRID = 4490  # CGCS2000

NAMED_EPSG = {"wgs84": 4326, "cgcs2000": STORAGE_SRID}
# Shifted systems: raw coordinates to WGS84 (taken as CGCS2000) and back.
UNSHIFT: dict[str, Callable[[ArrayLike, ArrayLike], chinacrs.Coords]] = {
    "gcj02": chinacrs.gcj02_to_wgs84, "bd09": chinacrs.bd09_to_wgs84,
}
SHIFT: dict[str, Callable[[ArrayLike, ArrayLike], chinacrs.Coords]] = {
    "gcj02": chinacrs.wgs84_to_gcj02, "bd09": chinacrs.wgs84_to_bd09,
}

# China's extent in lon/lat, generous by a degree: anything outside is a swapped or wrong coordinate.
CHINA_BOUNDS = (72.0, 3.0, 136.0, 54.5)
# Slack around a system's area of use: contractors draw a county that straddles a zone edge in one zone.
AREA_MARGIN_DEG = 0.5
# "Degrees" beyond this are projected metres declared as degrees, not a typo.
METRE_LIKE = 1000.0
# CGCS2000 Gauss-Krüger zones: 6-degree with zone-number prefix (4491-4501) and without (4502-4512),
# 3-degree with prefix (4513-4533) and without (4534-4554).
GAUSS_KRUGER_EPSG = range(4491, 4555)

Array = NDArray[np.float64]


class CoordinateError(ValueError):
    """A coordinate or coordinate system cannot be used: a stable `code` (`unknown_crs`, `axes_swapped`, ...)
    and the message (gettext, Chinese by default) saying why.

    When arrays were checked, `index` is the position of the first offending coordinate and `feature` the
    number of its feature, so importers can report "feature 17: ..."; the message already starts with it.
    """

    def __init__(self, message: str, *, code: str, feature: int | None = None, index: int | None = None) -> None:
        super().__init__(message if feature is None else _("Feature {feature}: {message}").format(
            feature=feature, message=message))
        self.code = code
        self.feature = feature
        self.index = index


@dataclass(frozen=True)
class Crs:
    """A coordinate system after parsing: the only form the rest of GeoGrid passes around."""

    name: str  # canonical: "wgs84", "cgcs2000", "gcj02", "bd09" or "EPSG:nnnn"
    epsg: int | None  # None for the shifted systems, which no EPSG code describes
    shifted: bool  # GCJ-02 or BD-09: offset from WGS84 by hundreds of metres

    @property
    def geographic(self) -> bool:
        """Whether coordinates are lon/lat degrees (the shifted systems are)."""
        return self.epsg is None or _pyproj_crs(self.epsg).is_geographic

    @property
    def label(self) -> str:
        """The name for messages, with the EPSG name that tells zones apart."""
        return self.name if self.epsg is None else f"EPSG:{self.epsg} ({_pyproj_crs(self.epsg).name})"


@dataclass(frozen=True)
class ParsedPoint:
    point: Point  # in the storage CRS
    crs: Crs  # the system the client's coordinates were in
    raw: tuple[float, float]  # the client's coordinates as sent, kept with their system


@lru_cache(maxsize=256)
def _pyproj_crs(epsg: int) -> CRS:
    return CRS.from_epsg(epsg)


@lru_cache(maxsize=128)
def _transformer(source: int, target: int) -> Transformer:
    """Cached: building a transformer costs about a millisecond, using one microseconds (thread-safe)."""
    return Transformer.from_crs(source, target, always_xy=True)


def _exact_to_storage(crs: CRS) -> bool:
    """Whether `crs` reaches CGCS2000 without a guess: WGS84 (taken as CGCS2000, centimetres apart) or a
    datum with a published transformation (PROJ's "ballpark" fallback ignores the datum shift)."""
    if "World Geodetic System 1984" in crs.datum.name:
        return True
    try:
        Transformer.from_crs(crs, STORAGE_SRID, allow_ballpark=False)
    except ProjError:
        return False
    return True


@lru_cache(maxsize=256)
def crs_from_epsg(epsg: int) -> Crs:
    """The Crs for an EPSG code, or a refusal if PROJ does not know it, it is not a 2D map system, or it
    cannot be brought to CGCS2000 exactly."""
    try:
        crs = _pyproj_crs(epsg)
    except CRSError:
        raise CoordinateError(_("Unknown coordinate system EPSG:{epsg}.").format(epsg=epsg),
                              code="unknown_crs") from None
    if not (crs.is_geographic or crs.is_projected):
        raise CoordinateError(_("EPSG:{epsg} ({name}) is neither a geographic nor a projected system.").format(
            epsg=epsg, name=crs.name), code="crs_not_2d")
    if not _exact_to_storage(crs):
        raise CoordinateError(_(
            "EPSG:{epsg} ({name}) is on the {datum} datum, which has no published transformation to CGCS2000: "
            "convert it to CGCS2000 with local parameters (such as seven parameters) first."
        ).format(epsg=epsg, name=crs.name, datum=crs.datum.name), code="crs_datum_unsupported")
    names = {code: name for name, code in NAMED_EPSG.items()}
    return Crs(name=names.get(epsg, f"EPSG:{epsg}"), epsg=epsg, shifted=False)


def parse_crs(text: str | None) -> Crs:
    """Parse a client's or file's CRS name; case, spaces, `-` and `_` do not matter (`GCJ-02`, `epsg:4545`)."""
    if text is None or not text.strip():
        raise CoordinateError(_("No coordinate system given: use wgs84, cgcs2000, gcj02, bd09 or EPSG:code."),
                              code="crs_missing")
    key = re.sub(r"[\s_-]", "", text).lower()
    if key in UNSHIFT:
        return Crs(name=key, epsg=None, shifted=True)
    if key in NAMED_EPSG:
        return crs_from_epsg(NAMED_EPSG[key])
    if match := re.fullmatch(r"epsg:(\d{1,6})", key):
        return crs_from_epsg(int(match[1]))
    shown = repr(text if len(text) <= 40 else text[:40] + "…")  # a file's WKT can run to kilobytes
    raise CoordinateError(_("Unknown coordinate system {crs}: use wgs84, cgcs2000, gcj02, bd09 or EPSG:code.").format(
        crs=shown), code="unknown_crs")


def to_storage(xs: ArrayLike, ys: ArrayLike, crs: Crs) -> tuple[Array, Array]:
    """Coordinates in `crs` to CGCS2000 lon/lat (EPSG:4490), vectorised. No area check: see check_in_area."""
    x, y = np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64)
    if crs.epsg is None:
        lon, lat = UNSHIFT[crs.name](x, y)
    elif crs.epsg == STORAGE_SRID:
        lon, lat = x, y
    else:
        lon, lat = _transformer(crs.epsg, STORAGE_SRID).transform(x, y)
    return np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64)


def from_storage(lons: ArrayLike, lats: ArrayLike, crs: Crs) -> tuple[Array, Array]:
    """CGCS2000 lon/lat to `crs`, vectorised: exports, including GCJ-02 for Amap-based apps."""
    lon, lat = np.asarray(lons, dtype=np.float64), np.asarray(lats, dtype=np.float64)
    if crs.epsg is None:
        x, y = SHIFT[crs.name](lon, lat)
    elif crs.epsg == STORAGE_SRID:
        x, y = lon, lat
    else:
        x, y = _transformer(STORAGE_SRID, crs.epsg).transform(lon, lat)
    return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)


def _area(crs: Crs) -> tuple[float, float, float, float] | None:
    """West, south, east, north (degrees) where `crs` is usable in GeoGrid: its area of use, with a margin,
    clipped to China. None when the system is not used in China at all."""
    west, south, east, north = CHINA_BOUNDS
    area_of_use = None if crs.epsg is None else _pyproj_crs(crs.epsg).area_of_use
    if area_of_use is not None:
        a_west, a_south, a_east, a_north = area_of_use.bounds
        if a_west <= a_east:  # an area crossing the antimeridian only constrains latitude here
            west, east = max(west, a_west - AREA_MARGIN_DEG), min(east, a_east + AREA_MARGIN_DEG)
        south, north = max(south, a_south - AREA_MARGIN_DEG), min(north, a_north + AREA_MARGIN_DEG)
    return (west, south, east, north) if west < east and south < north else None


def _fits(xs: Array, ys: Array, crs: Crs) -> NDArray[np.bool_]:
    """Which coordinates land inside the usable area of `crs` (non-finite ones never do)."""
    area = _area(crs)
    if area is None:
        return np.zeros(np.shape(xs), dtype=bool)
    west, south, east, north = area
    with np.errstate(invalid="ignore", over="ignore"):
        lon, lat = to_storage(xs, ys, crs)
    return (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)


def _fitting_zones(x: float, y: float, declared: Crs) -> list[int]:
    """The CGCS2000 Gauss-Krüger zones (EPSG codes) other than `declared` in which (x, y) lands in the zone."""
    return [code for code in GAUSS_KRUGER_EPSG
            if code != declared.epsg and _fits(np.array(x), np.array(y), crs_from_epsg(code))]


def _describe(codes: list[int]) -> str:
    """Up to two zones by full name, more as runs of EPSG codes (`EPSG:4502-4512, 4534-4554`)."""
    if len(codes) <= 2:
        return ", ".join(crs_from_epsg(code).label for code in codes)
    runs: list[list[int]] = []
    for code in codes:
        if runs and runs[-1][1] == code - 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    return "EPSG:" + ", ".join(str(first) if first == last else f"{first}-{last}" for first, last in runs)


def _diagnose(x: float, y: float, crs: Crs) -> tuple[str, str]:
    """Why (x, y) does not fit `crs`, the likely mistake, most specific first: (code, message)."""
    if not (np.isfinite(x) and np.isfinite(y)):
        return "coordinates_not_finite", _("Coordinates must be finite numbers.")
    area = _area(crs)
    if area is None:
        return "crs_not_used_in_china", _("The coordinate system {crs} is not used in China.").format(crs=crs.label)
    if _fits(np.array(y), np.array(x), crs):
        return "axes_swapped", _("x={x}, y={y} fits {crs} only when swapped: are lon and lat (x and y) swapped?"
                                 ).format(x=x, y=y, crs=crs.label)
    if crs.geographic and max(abs(x), abs(y)) > METRE_LIKE:
        zones = _fitting_zones(x, y, crs)
        if zones:
            return "metres_as_degrees", _("x={x}, y={y} look like projected metres declared as degrees in {crs}; "
                                          "they fit {zones}.").format(x=x, y=y, crs=crs.label, zones=_describe(zones))
        return "metres_as_degrees", _("x={x}, y={y} look like projected metres declared as degrees in {crs}."
                                      ).format(x=x, y=y, crs=crs.label)
    if crs.geographic and not (abs(x) <= 180 and abs(y) <= 90):
        return "lonlat_out_of_range", _("Longitude or latitude out of range: lon={x}, lat={y}.").format(x=x, y=y)
    if not crs.geographic and abs(x) <= 180 and abs(y) <= 90:
        return "degrees_as_metres", _("x={x}, y={y} look like degrees declared in the projected system {crs}."
                                      ).format(x=x, y=y, crs=crs.label)
    if not crs.geographic and (zones := _fitting_zones(x, y, crs)):
        return "wrong_zone", _("Wrong Gauss-Krüger zone or zone prefix? x={x}, y={y} is outside {crs} but fits "
                               "{zones}.").format(x=x, y=y, crs=crs.label, zones=_describe(zones))
    lon, lat = to_storage(x, y, crs)
    west, south, east, north = area
    where = f"lon={float(lon):.6f}, lat={float(lat):.6f}"
    if crs.geographic:
        return "outside_china", _("The point is outside China: {where}.").format(where=where)
    return "outside_crs_area", _("The point is outside the area of use of {crs} in China (longitude {west}~{east}, "
                                 "latitude {south}~{north}): {where}.").format(
        crs=crs.label, west=f"{west:g}", east=f"{east:g}", south=f"{south:g}", north=f"{north:g}", where=where)


def check_in_area(xs: ArrayLike, ys: ArrayLike, crs: Crs, features: ArrayLike | None = None) -> None:
    """Refuse coordinates outside the usable area of `crs` (its area of use and China), saying why.

    Arrays name the first offending coordinate's feature: `features[i]` for coordinate i (for example the
    index from `shapely.get_coordinates(geoms, return_index=True)`), else its position i. Scalars name none.
    """
    x, y = np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64)
    bad = np.flatnonzero(~_fits(x, y, crs))
    if bad.size == 0:
        return
    i = int(bad[0])
    code, reason = _diagnose(float(x.flat[i]), float(y.flat[i]), crs)
    if x.ndim == 0:
        raise CoordinateError(reason, code=code)
    raise CoordinateError(reason, code=code, feature=i if features is None else int(np.ravel(features)[i]), index=i)


def parse_point(x: str | float | None, y: str | float | None, crs: str | None = None) -> ParsedPoint:
    """Parse a client's point (default system `cgcs2000`, as the API documents), check it, store it."""
    try:
        fx, fy = float(x), float(y)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise CoordinateError(_("Coordinates must be numbers."), code="coordinates_not_numbers") from None
    parsed = parse_crs(crs or "cgcs2000")
    check_in_area(fx, fy, parsed)
    lon, lat = to_storage(fx, fy, parsed)
    return ParsedPoint(point=Point(float(lon), float(lat), srid=STORAGE_SRID), crs=parsed, raw=(fx, fy))


def to_area_crs(geometry: "shapely.Geometry") -> "shapely.Geometry":
    """A stored (CGCS2000) geometry in metres of `settings.GEOGRID_AREA_SRID`, for areas and distances."""
    forward = _transformer(STORAGE_SRID, settings.GEOGRID_AREA_SRID)
    return shapely.transform(geometry, lambda xy: np.column_stack(forward.transform(xy[:, 0], xy[:, 1])))


def from_area_crs(geometry: "shapely.Geometry") -> "shapely.Geometry":
    """The inverse of `to_area_crs`."""
    inverse = _transformer(settings.GEOGRID_AREA_SRID, STORAGE_SRID)
    return shapely.transform(geometry, lambda xy: np.column_stack(inverse.transform(xy[:, 0], xy[:, 1])))
