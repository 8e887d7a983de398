"""Reads of the service circles: a network as arrays, runs a user may see, coverage tables, map data, XLSX.

Runs are computed for an area; what a user reads of a run is cut to their own area (buildings by their
community's code prefix, as everywhere in GeoGrid), so a community clerk never sees another community's
households even in a street-wide run.
"""
from __future__ import annotations

import json

import numpy as np
import shapely
from django.contrib.auth.models import AnonymousUser, User
from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Sum
from openpyxl import Workbook
from openpyxl.styles import Font

from geogrid.accounts.selectors import area_code_prefix
from geogrid.circles.models import BuildingReach, CircleRun, SiteSuggestion, WalkingNetwork
from geogrid.circles.network import Network
from geogrid.core.crs import to_area_crs
from geogrid.core.xlsx import workbook_bytes
from geogrid.stations.models import ServiceStation

LEVELS = {  # table level -> (code, name) of the building's group
    "grid": ("building__grid_l1__code", "building__grid_l1__name"),
    "community": ("building__community__code", "building__community__name"),
    "street": ("building__community__parent__code", "building__community__parent__name"),
}
LEVEL_LABELS = {"grid": "网格", "community": "社区/村", "street": "街道/乡镇"}


def load_network(network: WalkingNetwork) -> tuple[Network, np.ndarray]:
    """The network in metres of the area CRS, and the database id of each vertex (index -> pgRouting vid)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, ST_AsBinary(geom) FROM circles_networkvertex WHERE network_id = %s ORDER BY id",
                       [network.pk])
        vertices = cursor.fetchall()
        cursor.execute("SELECT source, target, length_m, cost, reverse_cost, ST_AsBinary(geom) "
                       "FROM circles_networkedge WHERE network_id = %s ORDER BY id", [network.pk])
        edges = cursor.fetchall()
    vertex_ids = np.array([v[0] for v in vertices], dtype=np.int64)
    xy = shapely.get_coordinates(to_area_crs(shapely.from_wkb([bytes(v[1]) for v in vertices])))
    columns = list(zip(*edges)) if edges else [[]] * 6
    lines = to_area_crs(shapely.from_wkb([bytes(g) for g in columns[5]]))
    return Network(
        source=np.searchsorted(vertex_ids, np.asarray(columns[0], dtype=np.int64)),
        target=np.searchsorted(vertex_ids, np.asarray(columns[1], dtype=np.int64)),
        length=np.asarray(columns[2], dtype=np.float64), cost=np.asarray(columns[3], dtype=np.float64),
        reverse_cost=np.asarray(columns[4], dtype=np.float64), lines=np.asarray(lines, dtype=object), vertices=xy,
    ), vertex_ids


def pgrouting_reach(network: WalkingNetwork, vertex_ids: list[int], limit: float) -> dict[int, tuple[float, int]]:
    """The same multi-source pass in SQL: {vertex id: (seconds to the nearest start, that start)}.

    pgr_drivingDistance searches outwards from the starts, so cost and reverse_cost are swapped to get the
    walk towards them (see network.py). pgRouting 3.4 names the start column `from_v` (3.6: start_vid).
    Kept for SQL users and as the cross-check of the scipy path (tests, bench).
    """
    edges_sql = ("SELECT id, source, target, reverse_cost AS cost, cost AS reverse_cost "
                 f"FROM circles_networkedge WHERE network_id = {int(network.pk)}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT node, agg_cost, from_v FROM pgr_drivingDistance(%s, %s::bigint[], %s, "
                       "directed := true, equicost := true)", [edges_sql, list(vertex_ids), limit])
        return {node: (cost, start) for node, cost, start in cursor.fetchall()}


def runs_visible_to(user: User | AnonymousUser) -> QuerySet[CircleRun]:
    """Runs of the user's area and the areas under it; runs over everything for superusers only."""
    prefix = area_code_prefix(user)
    runs = CircleRun.objects.select_related("network", "area")
    if prefix is None:
        return runs.none()
    return runs if prefix == "" else runs.filter(area__code__startswith=prefix)


def reaches_visible_to(run: CircleRun, user: User | AnonymousUser | None) -> QuerySet[BuildingReach]:
    """The run's buildings in the user's area; all of them for None (the management commands)."""
    reaches = BuildingReach.objects.filter(run=run)
    prefix = "" if user is None else area_code_prefix(user)
    if prefix is None:
        return reaches.none()
    return reaches if prefix == "" else reaches.filter(building__community__code__startswith=prefix)


def coverage_table(run: CircleRun, user: User | AnonymousUser | None, level: str = "grid") -> list[dict]:
    """Households within each band per grid (level 1), community or street, household-weighted: one row
    per group in code order, then the total ("合计", total=True)."""
    code, name = LEVELS[level]
    bands = len(run.bands)
    within = {f"band{b}": Sum("weight", filter=Q(band__gte=1, band__lte=b), default=0) for b in range(1, bands + 1)}
    rows = (reaches_visible_to(run, user).values(code=F(code), name=F(name))
            .annotate(buildings=Count("id"), households=Sum("weight"), **within).order_by("code"))
    table = [dict(row) for row in rows]
    for row in table:
        row["total"] = False
        row["name"] = row["name"] or "（未归属）"  # a building outside every grid (or community) of its level
    total = {"code": "", "name": "合计", "total": True, "buildings": sum(r["buildings"] for r in table),
             "households": sum(r["households"] for r in table)}
    total.update({f"band{b}": sum(r[f"band{b}"] for r in table) for b in range(1, bands + 1)})
    for row in [*table, total]:
        row["share"] = round(row[f"band{bands}"] / row["households"], 4) if row["households"] else None
        row["uncovered"] = row["households"] - row[f"band{bands}"]
    return [*table, total]


def band_labels(run: CircleRun) -> list[str]:
    return [f"{int(b // 60)}分钟" if run.unit == "s" else f"{int(b)}米" for b in run.bands]


def run_json(run: CircleRun) -> dict:
    """A run's state for the page's progress bar and the API."""
    return {
        "id": run.pk, "status": run.status, "status_label": run.get_status_display(), "progress": run.progress,
        "stage": run.stage, "finished": run.status in (CircleRun.Status.SUCCEEDED, CircleRun.Status.FAILED),
        "error": run.error, "mode": run.mode, "unit": run.unit, "bands": run.bands, "band_labels": band_labels(run),
        "weight": run.weight, "station_kind": run.station_kind, "new_sites": run.new_sites,
        "target_share": run.target_share, "area": run.area.code if run.area_id else None,
        "network": run.network.name, "created_at": run.created_at.isoformat(), "summary": run.summary,
        "candidates": len(run.candidates), "candidate_crs": run.candidate_crs,
    }


def _point(geom) -> dict:
    return {"type": "Point", "coordinates": [round(geom.x, 7), round(geom.y, 7)]}


def run_geojson(run: CircleRun, user: User | AnonymousUser) -> dict:
    """Everything the map draws, as one FeatureCollection (properties.type says which layer): stations,
    isochrone bands, buildings with their walk (uncovered ones have band null), suggested sites."""
    features = []
    stations = ServiceStation.objects.all()
    if run.station_kind:
        stations = stations.filter(kind=run.station_kind)
    for station in stations:
        features.append({"type": "Feature", "geometry": _point(station.point), "properties": {
            "type": "station", "name": station.name, "kind": station.get_kind_display()}})
    for iso in run.isochrones.all():
        features.append({"type": "Feature", "geometry": json.loads(iso.geom.geojson), "properties": {
            "type": "isochrone", "band": iso.band, "limit": iso.limit}})
    reaches = reaches_visible_to(run, user).values_list(
        "building__point", "building__address", "building__grid_l1__code", "reach", "band", "weight", "snap_m",
        "station__name")
    for point, address, grid, reach, band, weight, snap, station in reaches:
        features.append({"type": "Feature", "geometry": _point(point), "properties": {
            "type": "building", "address": address, "grid": grid, "reach": reach, "band": band,
            "households": weight, "snap_m": snap, "station": station}})
    for site in run.suggestions.all():
        features.append({"type": "Feature", "geometry": _point(site.point), "properties": {
            "type": "site", "method": site.method, "method_label": site.get_method_display(), "rank": site.rank,
            "gain": site.gain, "gain_buildings": site.gain_buildings, "snap_m": site.snap_m, **_given(run, site)}})
    return {"type": "FeatureCollection", "features": features, "run": run_json(run)}


def _given(run: CircleRun, site: SiteSuggestion) -> dict:
    """Which of the user's candidates a suggestion is: its number, label and coordinates as given."""
    if site.candidate is None:
        return {}
    return {"candidate": site.candidate, "label": site.candidate_label,
            "given": run.candidates[site.candidate - 1]["given"], "crs": run.candidate_crs}


def run_xlsx(run: CircleRun, user: User | AnonymousUser | None) -> bytes:
    """The run as a workbook: coverage per grid, community and street, suggested sites, uncovered buildings."""
    book = Workbook()
    book.remove(book.active)
    labels = band_labels(run)
    for level, label in LEVEL_LABELS.items():
        sheet = book.create_sheet(f"按{label.split('/')[0]}")
        sheet.append(["编码", label, "楼栋数", "户数", *[f"{x}内户数" for x in labels], "覆盖率", "未覆盖户数"])
        for row in coverage_table(run, user, level):
            sheet.append([row["code"], row["name"], row["buildings"], row["households"],
                          *[row[f"band{b}"] for b in range(1, len(labels) + 1)], row["share"], row["uncovered"]])
    sites = book.create_sheet("建议新站点")
    head = ["方法", "序号", "经度", "纬度", "新增覆盖户数", "新增覆盖楼栋", "到路网距离（米）"]
    if run.candidates:
        head += ["给定候选", "候选名称", f"给定坐标 x（{run.candidate_crs}）", f"给定坐标 y（{run.candidate_crs}）"]
    sites.append(head)
    for site in run.suggestions.all():
        given = _given(run, site)
        sites.append([site.get_method_display(), site.rank, round(site.point.x, 7), round(site.point.y, 7),
                      site.gain, site.gain_buildings, site.snap_m,
                      *([given["candidate"], given["label"], *given["given"]] if given else [])])
    uncovered = book.create_sheet("圈外楼栋")
    unit = "秒" if run.unit == "s" else "米"
    uncovered.append(["地址", "网格", "户数", f"到最近站点（{unit}）", "最近站点"])
    for row in (reaches_visible_to(run, user).filter(band__isnull=True).order_by("building__address")
                .values_list("building__address", "building__grid_l1__code", "weight", "reach", "station__name")):
        uncovered.append(list(row))
    for sheet in book.worksheets:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    return workbook_bytes(book)
