"""Coordinate systems named by clients and files: parsing, refusals with reasons, area checks, conversions."""
import dataclasses
import re

import numpy as np
import pytest
import shapely
from django.utils import translation
from pyproj import Geod, Transformer

from geogrid.core.chinacrs import bd09_to_wgs84, gcj02_to_wgs84, wgs84_to_gcj02
from geogrid.core.crs import (
    STORAGE_SRID, CoordinateError, Crs, check_in_area, from_storage, parse_crs, parse_point, to_storage,
)

GEOD = Geod(ellps="WGS84")
TOWN = (108.68, 26.95)  # the demo town, 三穗县, in CGCS2000 lon/lat


def metres(a: tuple, b: tuple) -> float:
    return float(np.max(GEOD.inv(a[0], a[1], b[0], b[1])[2]))


def in_zone(epsg: int, lon: float = TOWN[0], lat: float = TOWN[1]) -> tuple[float, float]:
    """A CGCS2000 point in a Gauss-Krüger zone, computed independently of the code under test."""
    return Transformer.from_crs(STORAGE_SRID, epsg, always_xy=True).transform(lon, lat)


TOWN_4545 = in_zone(4545)  # 3-degree zone CM 108E, no zone-number prefix: (567524, 2982272)
TOWN_4524 = in_zone(4524)  # the same zone with its number 36 in front of the easting
TOWN_4497 = in_zone(4497)  # 6-degree zone 19 (CM 111E), with prefix


def refusal(xs, ys, crs: str, **kwargs) -> CoordinateError:
    with pytest.raises(CoordinateError) as info:
        check_in_area(xs, ys, parse_crs(crs), **kwargs)
    assert_coded(info.value)
    return info.value


def assert_close(actual: tuple, expected: tuple, atol: float) -> None:
    np.testing.assert_allclose(np.array(actual), np.array(expected), rtol=0, atol=atol)


def assert_coded(error: CoordinateError) -> None:
    """A stable code, and the message in Chinese (the default language)."""
    assert re.fullmatch(r"[a-z0-9_]+", error.code) and re.search(r"[\u4e00-\u9fff]", str(error))


@pytest.mark.parametrize("text, expected", [
    ("wgs84", Crs("wgs84", 4326, False)),
    ("WGS-84", Crs("wgs84", 4326, False)),
    ("EPSG:4326", Crs("wgs84", 4326, False)),
    ("cgcs2000", Crs("cgcs2000", 4490, False)),
    ("epsg:4490", Crs("cgcs2000", 4490, False)),
    ("gcj02", Crs("gcj02", None, True)),
    ("GCJ-02", Crs("gcj02", None, True)),
    ("bd09", Crs("bd09", None, True)),
    ("BD_09", Crs("bd09", None, True)),
    (" EPSG:4545 ", Crs("EPSG:4545", 4545, False)),
    ("EPSG:4491", Crs("EPSG:4491", 4491, False)),
    ("EPSG:4554", Crs("EPSG:4554", 4554, False)),
    ("EPSG:32649", Crs("EPSG:32649", 32649, False)),  # WGS84 / UTM 49N: anything PROJ knows on WGS84
])
def test_names_parse_to_one_canonical_crs(text, expected):
    assert parse_crs(text) == expected


def test_parsed_crs_is_frozen_and_knows_its_kind():
    crs = parse_crs("EPSG:4545")
    with pytest.raises(dataclasses.FrozenInstanceError):
        crs.epsg = 4490  # type: ignore[misc]
    assert not crs.geographic and "3-degree Gauss-Kruger CM 108E" in crs.label
    assert parse_crs("gcj02").geographic and parse_crs("wgs84").geographic


@pytest.mark.parametrize("text, code, reason", [
    (None, "crs_missing", "未指定坐标系"),
    ("  ", "crs_missing", "未指定坐标系"),
    ("mars", "unknown_crs", "无法识别"),
    ("4490", "unknown_crs", "无法识别"),  # a bare number is not guessed to be an EPSG code
    ("EPSG:999999", "unknown_crs", "未知的坐标系"),
    ("EPSG:4978", "crs_not_2d", "不是经纬度或投影坐标系"),  # geocentric
    ("EPSG:5773", "crs_not_2d", "不是经纬度或投影坐标系"),  # a height system
    ("EPSG:2435", "crs_datum_unsupported", "Beijing 1954"),  # PROJ would only offer a ballpark transformation
    ("EPSG:2383", "crs_datum_unsupported", "Xian 1980"),
])
def test_unusable_systems_are_refused_with_reason(text, code, reason):
    with pytest.raises(CoordinateError) as info:
        parse_crs(text)
    assert info.value.code == code and reason in str(info.value)
    assert_coded(info.value)


def test_a_long_unknown_name_is_not_echoed_whole():
    wkt = 'PROJCS["Local grid",GEOGCS["CGCS2000",' + "x" * 2000 + "]]"
    with pytest.raises(CoordinateError) as info:
        parse_crs(wkt)
    assert len(str(info.value)) < 300


@pytest.mark.parametrize("xs, ys, crs", [
    ([108.6, 108.7], [26.9, 27.0], "cgcs2000"),
    ([108.6, 108.7], [26.9, 27.0], "wgs84"),
    ([108.6, 108.7], [26.9, 27.0], "gcj02"),
    ([108.6, 108.7], [26.9, 27.0], "bd09"),
    ([TOWN_4545[0]], [TOWN_4545[1]], "EPSG:4545"),
    ([TOWN_4524[0]], [TOWN_4524[1]], "EPSG:4524"),
    ([TOWN_4497[0]], [TOWN_4497[1]], "EPSG:4497"),
])
def test_coordinates_inside_their_area_pass(xs, ys, crs):
    check_in_area(np.array(xs), np.array(ys), parse_crs(crs))


def test_a_zone_edge_may_be_crossed_by_a_little():
    """A county straddling 109.5E is often drawn in the CM 108E zone: 0.3 degrees over is accepted."""
    check_in_area(*in_zone(4545, 109.8, 26.95), parse_crs("EPSG:4545"))


@pytest.mark.parametrize("crs", ["wgs84", "cgcs2000", "gcj02", "bd09"])
def test_swapped_lon_lat_is_named(crs):
    error = refusal(TOWN[1], TOWN[0], crs)
    assert error.code == "axes_swapped" and "写反" in str(error)


def test_swapped_easting_northing_is_named():
    assert refusal(TOWN_4545[1], TOWN_4545[0], "EPSG:4545").code == "axes_swapped"


def test_a_refusal_is_in_english_when_asked():
    with translation.override("en"), pytest.raises(CoordinateError) as refused:
        check_in_area(TOWN[1], TOWN[0], parse_crs("wgs84"))
    assert refused.value.code == "axes_swapped" and "are lon and lat (x and y) swapped?" in str(refused.value)


def test_projected_metres_declared_as_degrees_are_named_with_the_zone_they_fit():
    refused = refusal(*TOWN_4524, "cgcs2000")
    error = str(refused)
    assert refused.code == "metres_as_degrees" and "投影坐标" in error
    assert "EPSG:4524" in error and "zone 36" in error


def test_degrees_declared_as_projected_are_named():
    refused = refusal(*TOWN, "EPSG:4545")
    assert refused.code == "degrees_as_metres" and "像是经纬度（度），却声明为投影坐标系 EPSG:4545" in str(refused)


@pytest.mark.parametrize("x, y, declared, fits", [
    (*TOWN_4524, "EPSG:4545", "EPSG:4524"),  # zone-number prefix kept, declared without
    (*TOWN_4524, "EPSG:4523", "EPSG:4524"),  # neighbouring 3-degree zone 35
    (*TOWN_4497, "EPSG:4545", "EPSG:4497"),  # a 6-degree zone declared as a 3-degree one
    (*TOWN_4497, "EPSG:4524", "EPSG:4497"),
])
def test_wrong_gauss_kruger_zone_names_the_zone_that_fits(x, y, declared, fits):
    refused = refusal(x, y, declared)
    error = str(refused)
    assert refused.code == "wrong_zone" and "分带" in error
    assert f"符合 {fits}" in error


def test_missing_zone_prefix_lists_the_zones_without_prefix():
    # Without the prefix the easting only says "0.68 degrees east of some central meridian".
    refused = refusal(*TOWN_4545, "EPSG:4524")
    assert refused.code == "wrong_zone"
    listed = re.search(r"符合 (EPSG:[\d, -]+)$", str(refused))[1]
    assert "4524" not in listed and re.search(r"45(3[4-9]|4\d|5[0-4])", listed)


@pytest.mark.parametrize("x, y, crs, code, reason", [
    (108.68, 95.0, "wgs84", "lonlat_out_of_range", "超出范围"),
    (2.35, 48.85, "wgs84", "outside_china", "不在中国境内"),  # Paris
    (2.35, 48.85, "gcj02", "outside_china", "不在中国境内"),
    (float("nan"), 26.95, "cgcs2000", "coordinates_not_finite", "有限"),
    (108.68, float("inf"), "gcj02", "coordinates_not_finite", "有限"),
    (500000.0, 5000000.0, "EPSG:32633", "crs_not_used_in_china", "不适用于中国"),  # WGS84 / UTM 33N: Europe
    (*in_zone(32649, 111.0, 60.0), "EPSG:32649", "outside_crs_area", "适用范围"),  # UTM 49N but north of China
])
def test_other_refusals_say_why(x, y, crs, code, reason):
    refused = refusal(x, y, crs)
    assert refused.code == code and reason in str(refused)


def test_the_first_offending_coordinate_names_its_feature():
    xs, ys = np.array([108.6, 108.7, 26.9, 26.8]), np.array([26.9, 27.0, 108.6, 108.5])
    error = refusal(xs, ys, "gcj02")
    assert (error.index, error.feature) == (2, 2)
    error = refusal(xs, ys, "gcj02", features=[10, 11, 17, 17])
    assert (error.index, error.feature) == (2, 17)
    assert str(error).startswith("要素 17：")


def test_feature_numbers_from_shapely_coordinates():
    """How an importer uses it: one check for every vertex of a batch, the error names the feature."""
    good = shapely.box(108.60, 26.90, 108.61, 26.91)
    swapped = shapely.box(26.90, 108.60, 26.91, 108.61)
    coords, index = shapely.get_coordinates([good, good, swapped], return_index=True)
    error = refusal(coords[:, 0], coords[:, 1], "cgcs2000", features=index)
    assert error.feature == 2 and error.code == "axes_swapped"


def test_a_scalar_refusal_names_no_feature():
    assert refusal(2.35, 48.85, "wgs84").feature is None


def test_gauss_kruger_to_storage_and_back():
    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(107.0, 109.4, 1000), rng.uniform(25.0, 29.0, 1000)
    crs = parse_crs("EPSG:4545")
    x, y = from_storage(lon, lat, crs)
    expected = Transformer.from_crs(STORAGE_SRID, 4545, always_xy=True).transform(lon, lat)
    assert_close((x, y), expected, atol=1e-6)
    back = to_storage(x, y, crs)
    assert metres(back, (lon, lat)) < 0.001


def test_gcj02_to_storage_and_back():
    rng = np.random.default_rng(8)
    lon, lat = rng.uniform(74.0, 134.0, 1000), rng.uniform(20.0, 50.0, 1000)
    crs = parse_crs("gcj02")
    x, y = from_storage(lon, lat, crs)
    assert_close((x, y), wgs84_to_gcj02(lon, lat), atol=1e-12)
    assert metres((x, y), (lon, lat)) > 50  # it really is shifted
    assert metres(to_storage(x, y, crs), (lon, lat)) < 0.001


def test_to_storage_per_system():
    x, y = np.array([108.68, 108.70]), np.array([26.95, 26.96])
    assert_close(to_storage(x, y, parse_crs("cgcs2000")), (x, y), atol=0)
    assert_close(to_storage(x, y, parse_crs("wgs84")), (x, y), atol=1e-12)  # taken as CGCS2000
    assert_close(to_storage(x, y, parse_crs("gcj02")), gcj02_to_wgs84(x, y), atol=1e-12)
    assert_close(to_storage(x, y, parse_crs("bd09")), bd09_to_wgs84(x, y), atol=1e-12)


def test_parse_point_converts_shifted_systems_and_keeps_what_was_sent():
    gcj = wgs84_to_gcj02(*TOWN)
    parsed = parse_point(str(gcj[0]), str(gcj[1]), "GCJ-02")
    assert parsed.crs == parse_crs("gcj02") and parsed.raw == gcj
    assert parsed.point.srid == STORAGE_SRID
    assert metres(parsed.point.coords, TOWN) < 0.001
    default = parse_point(*TOWN)
    assert default.crs.name == "cgcs2000" and default.point.coords == TOWN
