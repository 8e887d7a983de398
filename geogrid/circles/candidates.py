"""User-given candidate sites (issue 7: "network nodes in residential areas, or a user-given list").

Planners often know where a station could go (a vacant village committee room, a shop for rent): they give
those points as a file or as a list, and the siting chooses among them instead of among network vertices.
Files are read with the importer's readers (GeoJSON, GeoPackage, KML, shapefile, CSV/XLSX with lon/lat
columns) and their CRS is resolved as the importer does: the file's own, or `--crs` when it declares none,
never a guess. Every point is checked against its CRS's area of use before anything is stored, so a bad list
changes nothing.

A given point is kept as given (its label, its coordinates in the given CRS, the CRS's name) beside the
point in storage; a suggestion names the candidate it is (1-based index) so the answer can be traced back
to the planner's own list.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from django.contrib.gis.geos import MultiPoint, Point

from geogrid.core.api import DomainError
from geogrid.core.crs import STORAGE_SRID, CoordinateError, Crs, check_in_area, parse_crs, parse_point, to_storage
from geogrid.imports.readers import ReadError, open_source

MAX_CANDIDATES = 5000  # one limited Dijkstra per candidate: a county's 1,156 vertices take 3 s, so this bounds a run
LABEL_COLUMNS = ("name", "label", "名称", "站点名称", "候选", "地址", "address")


class CandidateError(DomainError, ValueError):
    """A candidate list that cannot be used (400 invalid_candidates); the message says why (Chinese / English)
    and which point."""

    code = "invalid_candidates"

    def __init__(self, message: str) -> None:
        super().__init__(message, field="candidates")


@dataclass(frozen=True)
class CandidateList:
    """Candidates in the order given: stored points (CGCS2000), labels, coordinates as given and their CRS."""

    points: list[Point]
    labels: list[str]
    given: list[tuple[float, float]]
    crs: Crs

    def run_fields(self) -> dict:
        """The CircleRun fields that carry this list."""
        return {
            "candidate_points": MultiPoint(self.points, srid=STORAGE_SRID),
            "candidate_crs": self.crs.name,
            "candidates": [{"label": label, "given": [x, y]} for label, (x, y) in zip(self.labels, self.given)],
        }


def _checked_count(count: int) -> None:
    if count == 0:
        raise CandidateError("候选站点列表为空 / the candidate list is empty")
    if count > MAX_CANDIDATES:
        raise CandidateError(f"候选站点最多 {MAX_CANDIDATES} 个，实有 {count} 个 / at most {MAX_CANDIDATES} candidates")


def candidates_from_list(items: object, crs: str | None = None) -> CandidateList:
    """[[lon, lat], ...] from the API or the page, in `crs` (default cgcs2000); labels are "#1", "#2", ..."""
    if not isinstance(items, list):
        raise CandidateError("candidates 应为 [[经度, 纬度], ...] / candidates must be a list of [lon, lat]")
    _checked_count(len(items))
    try:
        system = parse_crs(crs or "cgcs2000")
    except CoordinateError as error:
        raise CandidateError(str(error)) from None
    points, given = [], []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, (list, tuple)) or len(item) != 2:
            raise CandidateError(f"候选 {number} 应为 [经度, 纬度] / candidate {number} must be [lon, lat]")
        try:
            parsed = parse_point(item[0], item[1], system.name)
        except CoordinateError as error:
            raise CandidateError(f"候选 {number}：{error}") from None
        points.append(parsed.point)
        given.append(parsed.raw)
    return CandidateList(points, [f"#{n}" for n in range(1, len(points) + 1)], given, system)


def candidates_from_file(path: Path | str, crs: str | None = None, *, layer: str | None = None,
                         encoding: str | None = None) -> CandidateList:
    """Points of any file the importer reads; labels from a name column (LABEL_COLUMNS) or "#<feature>"."""
    try:
        source = open_source(Path(path), layer=layer, encoding=encoding)
        system = _resolve_crs(source.crs, source.crs_from_spec, crs)
        features = [feature for batch in source.batches() for feature in batch]
    except (ReadError, CoordinateError) as error:
        raise CandidateError(str(error)) from None
    _checked_count(len(features))
    label_column = next((c for c in LABEL_COLUMNS if c in {k.lower() for k in source.columns}), None)
    xy, labels, numbers = [], [], []
    for feature in features:
        point = _single_point(feature.geometry)
        if feature.error or point is None:
            raise CandidateError(feature.error or f"要素 {feature.number} 不是点（或没有坐标）"
                                                  f" / feature {feature.number} is not a point")
        xy.append((point.x, point.y))
        value = next((v for k, v in feature.attributes.items() if k.lower() == label_column), None)
        labels.append(str(value).strip() if value not in (None, "") else f"#{feature.number}")
        numbers.append(feature.number)
    coords = np.asarray(xy, dtype=np.float64)
    try:
        check_in_area(coords[:, 0], coords[:, 1], system, features=numbers)
    except CoordinateError as error:
        raise CandidateError(str(error)) from None
    lon, lat = to_storage(coords[:, 0], coords[:, 1], system)
    points = [Point(float(x), float(y), srid=STORAGE_SRID) for x, y in zip(lon, lat)]
    return CandidateList(points, labels, [(float(x), float(y)) for x, y in xy], system)


def _resolve_crs(declared_name: str | None, from_spec: bool, given_name: str | None) -> Crs:
    """The file's own CRS, or the given one when it declares none; the importer's rule (imports.services)."""
    declared = parse_crs(declared_name) if declared_name else None
    given = parse_crs(given_name) if given_name else None
    if declared and given and declared != given and not from_spec:
        raise CandidateError(f"文件自带坐标系 {declared.name}，与指定的 {given.name} 不一致；以文件为准时请勿指定 --crs"
                             f" / the file declares {declared.name}, not {given.name}")
    if given or declared:
        return given or declared
    raise CandidateError("候选站点文件没有坐标系信息，请用 --crs 指定（如 EPSG:4545、cgcs2000、wgs84、gcj02、bd09）"
                         " / the candidate file has no CRS: name one with --crs")


def _single_point(geometry: shapely.Geometry | None) -> shapely.Point | None:
    """A point, or a multipoint of one point (GeoPackage layers are often typed MultiPoint)."""
    if isinstance(geometry, shapely.Point):
        return geometry
    if isinstance(geometry, shapely.MultiPoint) and len(geometry.geoms) == 1:
        return geometry.geoms[0]
    return None
