"""Writes of the service circles: building a walking network, computing a run (coverage, isochrones, sites).

Coverage is computed in Python with scipy's sparse Dijkstra, one multi-source pass from all stations, not
with pgr_drivingDistance: both give the same vertex times (tests/test_circles.py checks it), but
pgRouting returns one row per reached vertex over the database connection and still leaves snapping
buildings to edges, the partial edges and the isochrones to do, while scipy answers in milliseconds
from arrays already in memory (figures in scripts/bench/circles.py and the README).
"""
from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import rasterio
import shapely
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.gis.geos import GEOSGeometry
from django.db import transaction
from django.utils import timezone
from pyproj import Transformer
from scipy.sparse import csr_array

from geogrid.areas.models import Area
from geogrid.buildings.models import Building
from geogrid.circles import siting
from geogrid.circles.candidates import CandidateList
from geogrid.circles.models import (BuildingReach, CircleRun, Isochrone, NetworkEdge, NetworkVertex, SiteSuggestion,
                                    WalkingNetwork)
from geogrid.circles.network import (WALKING_SPEED_MPS, ElevationFn, Network, Snap, Topology, Walk, edge_costs,
                                     node_lines)
from geogrid.circles.selectors import load_network
from geogrid.core.api import DomainError
from geogrid.core.copy import copy_rows, ewkb
from geogrid.core.crs import from_area_crs, to_area_crs
from geogrid.roads.models import Road
from geogrid.stations.models import ServiceStation

Progress = Callable[[str, int], None]  # (stage, percent)
REACH_LIMIT_FACTOR = 3  # walks are followed to 3x the circle (45 min / 3 km): enough to colour the map
CANDIDATE_RADIUS_M = 150.0  # candidate sites: network vertices this close to a building with households
CANDIDATE_SPACING_M = 100.0  # ... one per 100 m square, so a dense street grid does not multiply them
CANDIDATE_CHUNK = 64  # candidate searches per Dijkstra call (each returns a row per vertex)
DEMO_NETWORK_NAME = "演示街道步行路网"


class CirclesError(DomainError, ValueError):
    """A request the circles cannot serve (400 with `code`); the message says why, in Chinese and English."""

    code = "circles_refused"


# ---- networks ----------------------------------------------------------------------------------------------

def dem_elevation(path: Path | str) -> ElevationFn:
    """Elevation at metric (area CRS) points, bilinear between the DEM's cell centres: nearest-cell values
    would turn a smooth 5 % slope into steps of 0 % and 10 %, and Tobler's function is not linear."""
    with rasterio.open(path) as dataset:
        grid = dataset.read(1, masked=True).astype(np.float64).filled(np.nan)
        a, b, c, d, e, f = (~dataset.transform)[:6]
        to_dem = Transformer.from_crs(settings.GEOGRID_AREA_SRID, dataset.crs.to_wkt(), always_xy=True)

    def sample(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        u, v = to_dem.transform(np.asarray(x), np.asarray(y))
        u, v = np.asarray(u), np.asarray(v)
        col, row = a * u + b * v + c - 0.5, d * u + e * v + f - 0.5  # fractional index from the cell centres
        c0 = np.clip(np.floor(col).astype(int), 0, grid.shape[1] - 2)
        r0 = np.clip(np.floor(row).astype(int), 0, grid.shape[0] - 2)
        fc, fr = np.clip(col - c0, 0, 1), np.clip(row - r0, 0, 1)
        top = grid[r0, c0] * (1 - fc) + grid[r0, c0 + 1] * fc
        bottom = grid[r0 + 1, c0] * (1 - fc) + grid[r0 + 1, c0 + 1] * fc
        z = top * (1 - fr) + bottom * fr
        return np.where(np.isnan(z), np.nanmean(grid), z)  # off the DEM: flat, not an error

    return sample


def build_network(topology: Topology, *, name: str, source: str, speed: float = WALKING_SPEED_MPS,
                  dem_path: Path | str | None = None, names: list[str] | None = None,
                  kinds: list[str] | None = None, osm_ids: list[int | None] | None = None,
                  progress: Progress | None = None) -> WalkingNetwork:
    """Store a routable network from a metric topology; with `dem_path`, costs follow Tobler's function."""
    if speed <= 0:
        raise CirclesError("步行速度必须大于 0 / walking speed must be positive")
    report = progress or (lambda stage, percent: None)
    elevation = dem_elevation(dem_path) if dem_path else None
    report("costs", 20)
    length, cost, reverse_cost = edge_costs(topology.pieces, speed, elevation)
    vertex_z = elevation(topology.vertices[:, 0], topology.vertices[:, 1]) if elevation else None
    report("write", 50)
    count = len(topology.pieces)
    with transaction.atomic():
        network = WalkingNetwork.objects.create(
            name=name, source=source, speed_mps=speed, tobler=elevation is not None, dem_path=str(dem_path or ""),
            vertex_count=len(topology.vertices), edge_count=count, length_km=round(float(length.sum()) / 1000, 3))
        points = from_area_crs(shapely.points(topology.vertices))
        heights = [None] * len(points) if vertex_z is None else [round(float(z), 2) for z in vertex_z]
        vertex_ids = np.asarray(copy_rows(NetworkVertex, ["network", "elevation", "geom"],
                                          list(zip([network.pk] * len(points), heights, ewkb(points)))))
        report("write", 75)
        lines = from_area_crs(topology.pieces)
        copy_rows(NetworkEdge, ["network", "source", "target", "length_m", "cost", "reverse_cost", "name", "kind",
                                "osm_id", "geom"], list(zip(
            [network.pk] * count, vertex_ids[topology.source].tolist(), vertex_ids[topology.target].tolist(),
            np.round(length, 3).tolist(), np.round(cost, 3).tolist(), np.round(reverse_cost, 3).tolist(),
            names or [""] * count, kinds or [""] * count, osm_ids or [None] * count, ewkb(lines))))
    report("done", 100)
    return network


def build_network_from_roads(*, name: str = "道路图层步行路网", speed: float = WALKING_SPEED_MPS,
                             dem_path: Path | str | None = None, progress: Progress | None = None) -> WalkingNetwork:
    """The walking network of the roads layer (geogrid.roads), noded where roads cross or end on a road."""
    roads = list(Road.objects.values_list("name", "kind", "geom"))
    if not roads:
        raise CirclesError("道路图层为空，无法建立路网 / the roads layer is empty")
    lines = to_area_crs(shapely.from_wkb([bytes(geom.wkb) for _, _, geom in roads]))
    topology = node_lines(lines)
    labels = dict(Road.Kind.choices)
    return build_network(topology, name=name, source=WalkingNetwork.Source.ROADS, speed=speed, dem_path=dem_path,
                         names=[roads[i][0] for i in topology.origin],
                         kinds=[labels.get(roads[i][1], roads[i][1]) for i in topology.origin], progress=progress)


def build_network_from_osm(path: Path | str, *, name: str | None = None, speed: float = WALKING_SPEED_MPS,
                           dem_path: Path | str | None = None, progress: Progress | None = None) -> WalkingNetwork:
    """The walking network of an OpenStreetMap extract (.osm.pbf), read with pyrosm.

    OSM's own topology is kept (ways joined where they share a node): a footbridge over a road does not
    meet it. pyrosm's "walking" filter drops motorways and ways tagged foot=no.
    """
    from pyrosm import OSM  # heavy import (geopandas): only for this path

    report = progress or (lambda stage, percent: None)
    report("read", 5)
    nodes, edges = OSM(str(path)).get_network(network_type="walking", nodes=True)
    if edges is None or len(edges) == 0:
        raise CirclesError(f"{path} 中没有可步行的道路 / no walkable ways in {path}")
    edges = edges[edges.geometry.geom_type == "LineString"]
    lonlat = dict(zip(nodes["id"].to_numpy(), zip(nodes["lon"].to_numpy(), nodes["lat"].to_numpy())))
    ids, inverse = np.unique(np.concatenate([edges["u"].to_numpy(), edges["v"].to_numpy()]), return_inverse=True)
    vertices = to_area_crs(shapely.points([lonlat[i] for i in ids]))
    topology = Topology(pieces=to_area_crs(edges.geometry.to_numpy()), source=inverse[: len(edges)],
                        target=inverse[len(edges):], vertices=shapely.get_coordinates(vertices),
                        origin=np.arange(len(edges)))
    names = [str(n) if isinstance(n, str) else "" for n in edges["name"]]
    return build_network(topology, name=name or Path(path).name, source=WalkingNetwork.Source.OSM, speed=speed,
                         dem_path=dem_path, names=names, kinds=[str(h) for h in edges["highway"]],
                         osm_ids=[int(i) for i in edges["id"]], progress=progress)


def build_demo_network(dem_path: Path) -> WalkingNetwork:
    """The demo town's walking network with slopes from its DEM (load_demo calls this); replaces an older one
    with its runs, so reloading the demo never leaves a network of roads that are gone."""
    WalkingNetwork.objects.filter(source=WalkingNetwork.Source.ROADS, name=DEMO_NETWORK_NAME).delete()
    return build_network_from_roads(name=DEMO_NETWORK_NAME, dem_path=dem_path)


# ---- runs --------------------------------------------------------------------------------------------------

@transaction.atomic
def queue_run(*, user: User, network: WalkingNetwork, area: Area | None, station_kind: str, mode: str, weight: str,
              new_sites: int, target_share: float | None, candidates: CandidateList | None = None) -> CircleRun:
    """Save a run asked for through the API and queue it (see `start_run`); `candidates`, when given, are the
    only sites it may choose among."""
    run = CircleRun(network=network, area=area, user=user, station_kind=station_kind, mode=mode, weight=weight,
                    new_sites=new_sites, target_share=target_share)
    for name, value in (candidates.run_fields() if candidates else {}).items():
        setattr(run, name, value)
    run.save()
    return start_run(run)


def start_run(run: CircleRun) -> CircleRun:
    """Queue a saved run for the worker (`manage.py run_worker`); the page polls its progress."""
    from geogrid.circles.tasks import compute_circle_run  # tasks imports this module

    transaction.on_commit(lambda: compute_circle_run.enqueue(run_id=run.pk))
    return run


def _set_progress(run: CircleRun, stage: str, percent: int, progress: Progress | None) -> None:
    """Progress goes to the row at once (autocommit: the results are written in one transaction at the
    end, so the page sees progress while nothing else of the run exists yet)."""
    CircleRun.objects.filter(pk=run.pk).update(stage=stage, progress=percent)
    if progress:
        progress(stage, percent)


def _points(geoms) -> np.ndarray:
    return to_area_crs(shapely.from_wkb([bytes(g.wkb) for g in geoms]))


def run_circles(run: CircleRun, progress: Progress | None = None) -> CircleRun:
    """Compute a run: every building's walk to its nearest station, the isochrones, the site suggestions.

    A failure marks the run failed with the reason and re-raises (the worker logs it).
    """
    try:
        return _run(run, progress)
    except Exception as error:
        CircleRun.objects.filter(pk=run.pk).update(status=CircleRun.Status.FAILED, error=str(error)[:2000],
                                                   finished_at=timezone.now())
        raise


def _run(run: CircleRun, progress: Progress | None) -> CircleRun:
    timing: dict[str, float] = {}
    clock = time.perf_counter()
    CircleRun.objects.filter(pk=run.pk).update(status=CircleRun.Status.RUNNING)
    _set_progress(run, "读取路网", 5, progress)
    net, vertex_ids = load_network(run.network)
    walk = Walk.time(net, run.network.speed_mps) if run.mode == CircleRun.Mode.TIME else Walk.distance(net)
    stations = ServiceStation.objects.all()
    if run.station_kind:
        stations = stations.filter(kind=run.station_kind)
    station_ids, station_points = zip(*stations.values_list("pk", "point")) if stations.exists() else ((), ())
    buildings = Building.objects.filter(**{f"{run.weight}__gt": 0})
    if run.area_id:
        buildings = buildings.filter(community__code__startswith=Area.code_prefix(run.area.code))
    rows = list(buildings.values_list("pk", run.weight, "point"))
    if not rows:
        raise CirclesError("范围内没有住户 / no households in the area")
    building_ids = np.array([r[0] for r in rows])
    weight = np.array([r[1] for r in rows], dtype=np.int64)
    timing["load"] = time.perf_counter() - clock

    _set_progress(run, "计算步行时间", 20, progress)
    clock = time.perf_counter()
    station_snap = net.snap(_points(station_points))
    building_snap = net.snap(_points([r[2] for r in rows]))
    bands = run.bands
    reach = walk.reach(station_snap, limit=bands[-1] * REACH_LIMIT_FACTOR)
    cost, nearest = walk.at_points(reach.cost, building_snap, station_snap, reach.nearest)
    timing["reach"] = time.perf_counter() - clock
    band = np.searchsorted(np.asarray(bands), cost, side="left") + 1  # cost == limit counts as inside
    band = np.where(band <= len(bands), band, 0)
    covered = band > 0

    _set_progress(run, "生成等时圈", 40, progress)
    clock = time.perf_counter()
    isochrones = walk.isochrones(reach, station_snap, bands)
    timing["isochrones"] = time.perf_counter() - clock

    summary = {
        "unit": run.unit, "bands": bands, "households": int(weight.sum()), "buildings": len(rows),
        "stations": len(station_ids),
        "covered": [int(weight[(band > 0) & (band <= b)].sum()) for b in range(1, len(bands) + 1)],
        "covered_buildings": [int(((band > 0) & (band <= b)).sum()) for b in range(1, len(bands) + 1)],
        "network": {"vertices": net.vertex_count, "edges": len(net.lines)},
    }
    suggestions: list[SiteSuggestion] = []
    if run.new_sites or run.target_share:
        _set_progress(run, "计算候选站点覆盖", 55, progress)
        clock = time.perf_counter()
        suggestions, summary["siting"] = _suggest(run, walk, net, vertex_ids, building_snap, weight, covered,
                                                 _points([r[2] for r in rows]), progress)
        timing["siting"] = time.perf_counter() - clock
    summary["timing"] = {k: round(v, 3) for k, v in timing.items()}

    _set_progress(run, "保存结果", 95, progress)
    with transaction.atomic():
        station_pk = np.asarray(station_ids + (None,), dtype=object)  # nearest == -1 (none) picks the None
        copy_rows(BuildingReach, ["run", "building", "station", "reach", "band", "snap_m", "weight"], list(zip(
            [run.pk] * len(rows), building_ids.tolist(), station_pk[nearest].tolist(),
            [round(float(c), 1) if np.isfinite(c) else None for c in cost],
            [int(b) if b else None for b in band], np.round(building_snap.distance, 1).tolist(), weight.tolist())))
        geoms = from_area_crs(np.asarray([shapely.simplify(p, 1.0) for p in isochrones], dtype=object))
        Isochrone.objects.bulk_create([
            Isochrone(run=run, band=i + 1, limit=limit, geom=_multipolygon(g))
            for i, (limit, g) in enumerate(zip(bands, geoms)) if not g.is_empty
        ])
        SiteSuggestion.objects.bulk_create(suggestions)
        CircleRun.objects.filter(pk=run.pk).update(status=CircleRun.Status.SUCCEEDED, progress=100, stage="完成",
                                                   summary=summary, finished_at=timezone.now())
    if progress:
        progress("完成", 100)
    run.refresh_from_db()
    return run


def _multipolygon(geom: shapely.Geometry) -> GEOSGeometry:
    polygons = [p for p in shapely.get_parts(geom) if isinstance(p, shapely.Polygon)]
    return GEOSGeometry(memoryview(shapely.to_wkb(shapely.MultiPolygon(polygons))), srid=4490)


def candidate_vertices(net: Network, homes: np.ndarray, radius: float = CANDIDATE_RADIUS_M,
                       spacing: float = CANDIDATE_SPACING_M) -> np.ndarray:
    """Vertices near homes (residential areas), at most one per `spacing` square: indices into vertices."""
    vertex_points = shapely.points(net.vertices)
    near = np.unique(shapely.STRtree(homes).query(vertex_points, predicate="dwithin", distance=radius)[0])
    if len(near) == 0:
        return near
    cells = np.floor(shapely.get_coordinates(vertex_points[near]) / spacing).astype(np.int64)
    _, first = np.unique(cells, axis=0, return_index=True)
    return np.sort(near[first])


def candidate_cover(walk: Walk, candidates: Snap, homes: Snap, limit: float,
                    report: Callable[[float], None] | None = None) -> csr_array:
    """(homes x candidates) True where a home reaches the candidate within `limit`: one limited Dijkstra
    per candidate, CANDIDATE_CHUNK at a time so memory stays at chunk x vertices."""
    rows, cols = [], []
    for start in range(0, len(candidates), CANDIDATE_CHUNK):
        chunk = candidates.take(np.arange(start, min(start + CANDIDATE_CHUNK, len(candidates))))
        node_cost = walk.reach_each(chunk, limit)
        cost, _ = walk.at_points(node_cost, homes, chunk)
        c, h = np.nonzero(cost <= limit)
        rows.append(h)
        cols.append(c + start)
        if report:
            report(min(1.0, (start + CANDIDATE_CHUNK) / len(candidates)))
    h, c = np.concatenate(rows), np.concatenate(cols)
    return csr_array((np.ones(len(h), dtype=bool), (h, c)), shape=(len(homes), len(candidates)))


def _suggest(run: CircleRun, walk: Walk, net: Network, vertex_ids: np.ndarray, homes: Snap, weight: np.ndarray,
             covered: np.ndarray, home_points: np.ndarray, progress: Progress | None
             ) -> tuple[list[SiteSuggestion], dict]:
    """MCLP / LSCP and greedy over the run's given candidates, or else over network vertices near homes, for
    the households no station covers yet.

    Given candidates are snapped like stations, the snap distance walked too. One farther from the network
    than the circle is kept (it may be the planner's point) but can cover no one: the summary says so.
    """
    limit = run.bands[-1]
    given = run.candidate_points is not None
    if given:
        points = np.asarray(shapely.from_wkb([bytes(p.wkb) for p in run.candidate_points]), dtype=object)
        candidate_snap = net.snap(to_area_crs(points))
        candidates = np.arange(len(points))
    else:
        candidates = candidate_vertices(net, home_points[weight > 0])
        metric = shapely.points(net.vertices[candidates])
        candidate_snap = net.snap(metric)
        points = from_area_crs(metric)
    open_homes = np.flatnonzero(~covered)

    def report(share: float) -> None:
        _set_progress(run, "计算候选站点覆盖", 55 + int(25 * share), progress)

    covers = candidate_cover(walk, candidate_snap, homes.take(open_homes), limit, report)
    model = siting.coverage_model(covers, weight[open_homes])
    total, before = int(weight.sum()), int(weight[covered].sum())
    info: dict = {"candidates": len(candidates), "candidate_source": "given" if given else "network",
                  "model_rows": int(model.covers.shape[0]), "before": round(before / total, 4),
                  "covered_before": before}
    if given:
        info["candidate_notes"] = _far_candidates(run, candidate_snap.distance * walk.offroad, limit)
    _set_progress(run, "求解选址模型", 82, progress)
    solutions = []
    if run.new_sites:
        solutions += [siting.mclp(model, run.new_sites), siting.greedy(model, sites=run.new_sites)]
    if run.target_share:
        target = int(np.ceil(run.target_share * total)) - before
        if target <= 0:
            info["lscp_note"] = "现有站点已达到目标覆盖率"
        else:
            lscp = siting.lscp(model, target)
            greedy_target = siting.greedy(model, target=min(target, int(model.weight.sum())))
            greedy_target.method = "greedy_target"
            solutions += [lscp, greedy_target]
    suggestions = []
    for solution in solutions:
        info[solution.method] = {
            "sites": len(solution.picks), "covered": solution.covered,
            "after": round((before + solution.covered) / total, 4),
            "seconds": round(solution.seconds, 3), "optimal": solution.optimal, "notes": solution.notes,
        }
        for rank, pick in enumerate(solution.picks, start=1):
            c = pick.candidate
            suggestions.append(SiteSuggestion(
                run=run, method=solution.method, rank=rank,
                vertex_id=None if given else int(vertex_ids[candidates[c]]),
                candidate=c + 1 if given else None,
                candidate_label=run.candidates[c]["label"][:200] if given else "",
                point=GEOSGeometry(memoryview(shapely.to_wkb(points[c])), srid=4490),
                snap_m=round(float(candidate_snap.distance[c]), 1), gain=pick.gain, gain_buildings=pick.gain_count))
    return suggestions, info


def _far_candidates(run: CircleRun, snap_cost: np.ndarray, limit: float) -> list[str]:
    """Notes on given candidates whose walk to the network alone uses up the circle."""
    unit = "秒" if run.unit == "s" else "米"
    return [f"候选 {i + 1}（{run.candidates[i]['label']}）到路网的步行已达 {snap_cost[i]:.0f} {unit}，超出服务圈，"
            f"不能覆盖任何住户 / candidate {i + 1} is farther from the network than the circle"
            for i in np.flatnonzero(snap_cost > limit)]
