"""GCJ-02 and BD-09, the shifted coordinate systems of Chinese web maps, to and from WGS84.

Why this exists: a grid worker's phone reporting through Amap (高德), Tencent (腾讯) or WeChat maps gives
GCJ-02 ("Mars") coordinates, and Baidu (百度) gives BD-09. Both are deliberately shifted from WGS84 by
hundreds of metres (GCJ-02 by up to about 700 m, BD-09 by more), enough to route an event to the wrong
grid. Every such point is unshifted here before it is stored (storage is CGCS2000, within centimetres of
WGS84), and shifted again for exports to GCJ-02 apps.

GCJ-02 is the published "Krasovsky" formula of the open implementations (coordtransform, eviltransform,
gcoord): a smooth offset computed from the WGS84 point. It is applied only inside the usual rectangle
around mainland China (`out_of_china` in those projects: lon 73.66-135.05, lat 3.86-53.55); points
outside it are returned unshifted. The rectangle is coarse: it also covers parts of neighbouring
countries, which are shifted like the open implementations do. BD-09 adds Baidu's own
rotation-and-offset to GCJ-02, everywhere.

Neither shift has a closed-form inverse (the "inverse" formulas in circulation are one-step
approximations, off by up to about 5 m for GCJ-02 and 0.2 m for BD-09). The inverses here iterate the
forward transform until the residual is below 1e-9 degrees (about 0.1 mm), far better than the 0.5 m
the import and locate work needs.

Every function takes floats or numpy arrays (broadcast together) and returns the same kind: floats for
scalar input, float64 arrays otherwise.
"""
from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

# Krasovsky 1940 ellipsoid, as fixed by the GCJ-02 formula.
KRASOVSKY_A = 6378245.0
KRASOVSKY_EE = 0.00669342162296594323
# The rectangle inside which GCJ-02 is shifted: west, south, east, north (exclusive bounds).
GCJ02_RECTANGLE = (73.66, 3.86, 135.05, 53.55)
# Baidu's angular constant in the BD-09 formula.
BD09_X_PI = np.pi * 3000.0 / 180.0
# Iterative inverses stop when the forward transform of the estimate is this close to the input.
INVERSE_TOLERANCE_DEG = 1e-9
# Both shifts vary slowly (derivatives below 0.01), so each iteration cuts the error a hundredfold and a
# handful suffice; the cap only bounds the work for non-finite input.
INVERSE_MAX_ITERATIONS = 20

Coords = tuple[float | NDArray[np.float64], float | NDArray[np.float64]]
Array = NDArray[np.float64]


def _arrays(lon: ArrayLike, lat: ArrayLike) -> tuple[Array, Array]:
    """Both coordinates as float64 arrays of one broadcast shape (copies: callers may write into them)."""
    x, y = np.broadcast_arrays(np.asarray(lon, dtype=np.float64), np.asarray(lat, dtype=np.float64))
    return x.copy(), y.copy()


def _result(x: Array, y: Array) -> Coords:
    """Floats for scalar input, arrays otherwise."""
    return (float(x), float(y)) if x.ndim == 0 else (x, y)


def _in_gcj02_rectangle(lon: ArrayLike, lat: ArrayLike) -> NDArray[np.bool_]:
    """Whether GCJ-02 shifts a point: inside the rectangle around mainland China (`out_of_china` negated)."""
    west, south, east, north = GCJ02_RECTANGLE
    x, y = np.asarray(lon), np.asarray(lat)
    return (x > west) & (x < east) & (y > south) & (y < north)


def _gcj02_offset(lon: Array, lat: Array) -> tuple[Array, Array]:
    """The GCJ-02 shift (degrees) of WGS84 points, without the rectangle test."""
    x, y = lon - 105.0, lat - 35.0
    sqrt_abs_x = np.sqrt(np.abs(x))
    common = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    d_lat = (-100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt_abs_x + common
             + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
             + (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0)
    d_lon = (300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt_abs_x + common
             + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
             + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0)
    rad_lat = np.radians(lat)
    magic = 1.0 - KRASOVSKY_EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    d_lat = d_lat * 180.0 / ((KRASOVSKY_A * (1.0 - KRASOVSKY_EE)) / (magic * sqrt_magic) * np.pi)
    d_lon = d_lon * 180.0 / (KRASOVSKY_A / sqrt_magic * np.cos(rad_lat) * np.pi)
    return d_lon, d_lat


def _wgs84_to_gcj02_unmasked(lon: Array, lat: Array) -> tuple[Array, Array]:
    """The GCJ-02 forward transform without the rectangle test: what the inverse iterates."""
    d_lon, d_lat = _gcj02_offset(lon, lat)
    return lon + d_lon, lat + d_lat


def _gcj02_to_bd09(lon: Array, lat: Array) -> tuple[Array, Array]:
    """Baidu's rotation-and-offset of GCJ-02 coordinates."""
    z = np.hypot(lon, lat) + 0.00002 * np.sin(lat * BD09_X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * BD09_X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def _bd09_to_gcj02_estimate(lon: Array, lat: Array) -> tuple[Array, Array]:
    """The closed-form inverse in circulation: off by up to a few decimetres, so only the iteration's start."""
    x, y = lon - 0.0065, lat - 0.006
    z = np.hypot(x, y) - 0.00002 * np.sin(y * BD09_X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * BD09_X_PI)
    return z * np.cos(theta), z * np.sin(theta)


def _invert(forward: Callable[[Array, Array], tuple[Array, Array]], x: Array, y: Array,
            start: tuple[Array, Array]) -> tuple[Array, Array]:
    """Solve forward(p) = (x, y) by fixed-point iteration p <- p - (forward(p) - (x, y)).

    It converges because both shifts are nearly constant over the few hundred metres they move a point.
    """
    px, py = start
    for _ in range(INVERSE_MAX_ITERATIONS):
        fx, fy = forward(px, py)
        rx, ry = fx - x, fy - y
        if not (np.any(np.abs(rx) > INVERSE_TOLERANCE_DEG) or np.any(np.abs(ry) > INVERSE_TOLERANCE_DEG)):
            break
        px, py = px - rx, py - ry
    return px, py


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> Coords:
    """WGS84 to GCJ-02 (Amap, Tencent, WeChat). Points outside the China rectangle are returned as given."""
    x, y = _arrays(lon, lat)
    inside = _in_gcj02_rectangle(x, y)
    x[inside], y[inside] = _wgs84_to_gcj02_unmasked(x[inside], y[inside])
    return _result(x, y)


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> Coords:
    """GCJ-02 to WGS84 by iterating the forward shift to 1e-9 degrees.

    Points outside the China rectangle are returned as given (GCJ-02 does not shift them). The rectangle
    test is on the GCJ-02 input, as in the open implementations; it only matters within a few hundred
    metres of the rectangle's edge.
    """
    x, y = _arrays(lon, lat)
    inside = _in_gcj02_rectangle(x, y)
    gx, gy = x[inside], y[inside]
    x[inside], y[inside] = _invert(_wgs84_to_gcj02_unmasked, gx, gy, start=(gx, gy))
    return _result(x, y)


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> Coords:
    """GCJ-02 to BD-09 (Baidu)."""
    return _result(*_gcj02_to_bd09(*_arrays(lon, lat)))


def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> Coords:
    """BD-09 to GCJ-02: Baidu's closed-form inverse refined by iterating the forward transform."""
    x, y = _arrays(lon, lat)
    return _result(*_invert(_gcj02_to_bd09, x, y, start=_bd09_to_gcj02_estimate(x, y)))


def wgs84_to_bd09(lon: ArrayLike, lat: ArrayLike) -> Coords:
    """WGS84 to BD-09, through GCJ-02."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> Coords:
    """BD-09 to WGS84, through GCJ-02."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))
