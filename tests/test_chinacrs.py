"""GCJ-02 and BD-09 conversions: published reference pairs from open implementations, and round trips.

Reference pairs are copied from the named project's test files. Their forward transforms are the same
formula as ours and must agree to the last digits; their inverses are often the one-step approximation,
so there we check that ours is exact (its forward transform gives the input back) and close to theirs.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from geogrid.core.chinacrs import (
    bd09_to_gcj02, bd09_to_wgs84, gcj02_to_bd09, gcj02_to_wgs84, wgs84_to_bd09, wgs84_to_gcj02,
)

GEOD = Geod(ellps="WGS84")
EXACT_DEG = 1e-9  # the iterative inverses' tolerance, about 0.1 mm


def metres(a: tuple, b: tuple) -> float:
    """Geodesic distance between two (lon, lat) points or arrays of them (the largest, for arrays)."""
    return float(np.max(GEOD.inv(a[0], a[1], b[0], b[1])[2]))


# wandergis/coordtransform, test/app.js: every function applied to (116.404, 39.915), results as printed
# in its "//result" comment. Its gcj02towgs84 and bd09togcj02 are one-step approximations.
COORDTRANSFORM_INPUT = (116.404, 39.915)
COORDTRANSFORM_WGS84_TO_GCJ02 = (116.41024449916938, 39.91640428150164)
COORDTRANSFORM_GCJ02_TO_BD09 = (116.41036949371029, 39.92133699351021)
COORDTRANSFORM_GCJ02_TO_WGS84 = (116.39775550083061, 39.91359571849836)
COORDTRANSFORM_BD09_TO_GCJ02 = (116.39762729119315, 39.90865673957631)

# googollee/eviltransform, python/test.py, TESTS: (wgsLat, wgsLng, gcjLat, gcjLng), latitude first.
EVILTRANSFORM_TESTS = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # beijing
]

# hujiulong/gcoord, test/unit/crs/GCJ02.spec.js and BD09.spec.js: transforms of [123, 45], checked there
# with toBeCloseTo(value, 5), i.e. to 5e-6 degrees. gcoord's BD09 to GCJ02 is the closed-form estimate.
GCOORD_INPUT = (123.0, 45.0)
GCOORD_GCJ02_TO_WGS84 = (122.99395597, 44.99804071)
GCOORD_GCJ02_TO_BD09 = (123.00636499, 45.00636899)
GCOORD_BD09_TO_GCJ02 = (122.99363304, 44.99365430)
GCOORD_BD09_TO_WGS84 = (122.98762210, 44.99171540)
GCOORD_DEG = 5e-6

# hujiulong/gcoord, test/fixtures/china-cities.json: (WGS84, GCJ02, BD09) lon/lat of cities across China,
# rounded to 7 decimals. GCJ02 and BD09 agree with the formula to centimetres; the WGS84 column sits a
# constant ~0.66 m south-west of the formula's (gcoord itself checks it only to 4 decimals, ~5 m).
GCOORD_CITIES = {
    "那曲": ((92.0499619, 31.4784436), (92.0512438, 31.4762063), (92.0576832, 31.4824421)),
    "酒泉": ((98.4937175, 39.7319946), (98.4943595, 39.7328234), (98.5008441, 39.7388949)),
    "铜仁": ((109.1850122, 27.7347803), (109.1896029, 27.7315202), (109.1960427, 27.7378032)),
    "钦州": ((108.6503952, 21.9828281), (108.6541485, 21.9799392), (108.6607283, 21.9856319)),
    "沈阳": ((123.4253306, 41.8032629), (123.4314787, 41.8057023), (123.438095, 41.8114013)),
    "锡林郭勒盟": ((116.0414035, 43.9312805), (116.0482308, 43.9334573), (116.0546232, 43.9397782)),
}
ROUNDED_M = 0.02  # 7-decimal rounding of both sides
GCOORD_WGS84_M = 1.0


def test_forward_transforms_match_coordtransform():
    assert wgs84_to_gcj02(*COORDTRANSFORM_INPUT) == pytest.approx(COORDTRANSFORM_WGS84_TO_GCJ02, abs=1e-12)
    assert gcj02_to_bd09(*COORDTRANSFORM_INPUT) == pytest.approx(COORDTRANSFORM_GCJ02_TO_BD09, abs=1e-12)


def test_inverses_undo_coordtransform_forward_pairs():
    assert gcj02_to_wgs84(*COORDTRANSFORM_WGS84_TO_GCJ02) == pytest.approx(COORDTRANSFORM_INPUT, abs=EXACT_DEG)
    assert bd09_to_gcj02(*COORDTRANSFORM_GCJ02_TO_BD09) == pytest.approx(COORDTRANSFORM_INPUT, abs=EXACT_DEG)


@pytest.mark.parametrize("inverse, forward, published", [
    (gcj02_to_wgs84, wgs84_to_gcj02, COORDTRANSFORM_GCJ02_TO_WGS84),
    (bd09_to_gcj02, gcj02_to_bd09, COORDTRANSFORM_BD09_TO_GCJ02),
])
def test_inverses_are_exact_where_coordtransform_approximates(inverse, forward, published):
    ours = inverse(*COORDTRANSFORM_INPUT)
    assert forward(*ours) == pytest.approx(COORDTRANSFORM_INPUT, abs=EXACT_DEG)
    assert metres(forward(*published), COORDTRANSFORM_INPUT) > 100 * metres(forward(*ours), COORDTRANSFORM_INPUT)
    assert metres(ours, published) < 0.5


@pytest.mark.parametrize("wgs_lat, wgs_lon, gcj_lat, gcj_lon", EVILTRANSFORM_TESTS)
def test_eviltransform_pairs_both_ways(wgs_lat, wgs_lon, gcj_lat, gcj_lon):
    assert wgs84_to_gcj02(wgs_lon, wgs_lat) == pytest.approx((gcj_lon, gcj_lat), abs=EXACT_DEG)
    assert metres(gcj02_to_wgs84(gcj_lon, gcj_lat), (wgs_lon, wgs_lat)) < 0.001


@pytest.mark.parametrize("function, expected", [
    (gcj02_to_wgs84, GCOORD_GCJ02_TO_WGS84),
    (gcj02_to_bd09, GCOORD_GCJ02_TO_BD09),
    (bd09_to_gcj02, GCOORD_BD09_TO_GCJ02),
    (bd09_to_wgs84, GCOORD_BD09_TO_WGS84),
])
def test_gcoord_pairs(function, expected):
    assert function(*GCOORD_INPUT) == pytest.approx(expected, abs=GCOORD_DEG)


@pytest.mark.parametrize("wgs84, gcj02, bd09", GCOORD_CITIES.values(), ids=GCOORD_CITIES.keys())
def test_gcoord_cities(wgs84, gcj02, bd09):
    assert metres(gcj02_to_bd09(*gcj02), bd09) < ROUNDED_M
    assert metres(bd09_to_gcj02(*bd09), gcj02) < ROUNDED_M
    assert metres(wgs84_to_gcj02(*wgs84), gcj02) < GCOORD_WGS84_M
    assert metres(gcj02_to_wgs84(*gcj02), wgs84) < GCOORD_WGS84_M
    assert metres(bd09_to_wgs84(*bd09), wgs84) < GCOORD_WGS84_M


def test_points_outside_china_are_not_shifted_by_gcj02():
    # gcoord's GCJ02.spec.js: GCJ02 to WGS84 of [183, 45] is [183, 45]. Paris is outside too.
    assert gcj02_to_wgs84(183.0, 45.0) == (183.0, 45.0)
    assert wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)
    assert gcj02_to_wgs84(2.35, 48.85) == (2.35, 48.85)


def test_scalars_give_floats_and_arrays_give_arrays_of_the_same_shape():
    lon, lat = wgs84_to_gcj02(108.68, 26.95)
    assert type(lon) is float and type(lat) is float
    lons = np.array([[108.68, 2.35], [116.404, 121.5]])
    lats = np.array([[26.95, 48.85], [39.915, 31.2]])
    x, y = wgs84_to_gcj02(lons, lats)
    assert x.shape == y.shape == (2, 2)
    assert (x[0, 1], y[0, 1]) == (2.35, 48.85)  # Paris, outside China, mixed with points inside
    assert (x[1, 0], y[1, 0]) == pytest.approx(COORDTRANSFORM_WGS84_TO_GCJ02, abs=1e-12)
    assert metres(gcj02_to_wgs84(x, y), (lons, lats)) < 0.001
    assert lons[0, 0] == 108.68  # inputs are never written into


def test_non_finite_input_gives_non_finite_output():
    lon, lat = gcj02_to_wgs84(np.array([np.nan, 108.68]), np.array([26.95, 26.95]))
    assert np.isnan(lon[0]) and np.isfinite(lon[1]) and np.isfinite(lat).all()


def test_whole_china_round_trips_to_a_millimetre():
    rng = np.random.default_rng(2024)
    lon, lat = rng.uniform(73.7, 135.0, 20000), rng.uniform(18.0, 53.5, 20000)
    assert metres(gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat)), (lon, lat)) < 0.001
    assert metres(bd09_to_wgs84(*wgs84_to_bd09(lon, lat)), (lon, lat)) < 0.001


china_lon = st.floats(73.7, 135.0)
china_lat = st.floats(18.0, 53.5)


@given(china_lon, china_lat)
def test_wgs84_gcj02_wgs84_within_half_a_metre(lon, lat):
    assert metres(gcj02_to_wgs84(*wgs84_to_gcj02(lon, lat)), (lon, lat)) < 0.5


@given(china_lon, china_lat)
def test_wgs84_bd09_wgs84_within_half_a_metre(lon, lat):
    assert metres(bd09_to_wgs84(*wgs84_to_bd09(lon, lat)), (lon, lat)) < 0.5


@given(china_lon, china_lat)
def test_gcj02_bd09_gcj02_within_half_a_metre(lon, lat):
    assert metres(bd09_to_gcj02(*gcj02_to_bd09(lon, lat)), (lon, lat)) < 0.5


@settings(max_examples=200)
@given(st.floats(108.58, 108.78), st.floats(26.85, 27.05))
def test_shift_near_the_demo_town_is_hundreds_of_metres(lon, lat):
    """Around 108.68E 26.95N (三穗县): enough to put a phone's point in another grid."""
    assert 400 < metres(wgs84_to_gcj02(lon, lat), (lon, lat)) < 800
    assert 900 < metres(wgs84_to_bd09(lon, lat), (lon, lat)) < 1300
