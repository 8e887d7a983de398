"""15-minute service circles benchmark (run by hand, never in tests).

    GEOGRID_DB_NAME=<a migrated database with the demo town> .venv/bin/python scripts/bench/circles.py \
        [--edges 50000] [--buildings 20000] [--stations 50] [--sites 10] [--skip-county]

Two instances, each timed in the same run:
1. the demo town (its stored, Tobler-sloped network, its stations and buildings);
2. a generated county: a jittered street lattice of ~--edges edges (10 % removed) over synthetic hills,
   --buildings buildings with 1-80 households and --stations stations, stored inside a transaction that
   is rolled back (the store is timed too).
For each: coverage (every building's walk to its nearest station, one multi-source pass) GeoGrid's way
(scipy sparse Dijkstra, min_only) beside networkx's multi-source Dijkstra (same answer, checked) and the
ego_graph approach of isochrone tutorials (one ego graph per station and band), and pgRouting's
pgr_drivingDistance(equicost) over the stored table from the stations' vertices; then siting: the
candidate coverage model, MCLP with PuLP/CBC and greedy, beside spopt's MCLP on the same instance (same
uncovered buildings, same candidates, same radius), covered households compared.
"""
import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geogrid.settings")
os.environ["DJANGO_DEBUG"] = "0"  # DEBUG keeps every query in memory

import django  # noqa: E402

django.setup()

import networkx as nx  # noqa: E402
import numpy as np  # noqa: E402
import pulp  # noqa: E402
import shapely  # noqa: E402
from django.db import transaction  # noqa: E402

from geogrid.buildings.models import Building  # noqa: E402
from geogrid.circles import siting  # noqa: E402
from geogrid.circles.models import WalkingNetwork  # noqa: E402
from geogrid.circles.network import Network, Snap, Topology, Walk, edge_costs  # noqa: E402
from geogrid.circles.selectors import load_network, pgrouting_reach  # noqa: E402
from geogrid.circles.services import (DEMO_NETWORK_NAME, build_network, candidate_cover,  # noqa: E402
                                      candidate_vertices)
from geogrid.core.crs import to_area_crs  # noqa: E402
from geogrid.stations.models import ServiceStation  # noqa: E402

CIRCLE_S = 900.0  # 15 minutes
LIMIT_S = 3 * CIRCLE_S


def timed(fn, *args, **kwargs):
    started = time.perf_counter()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - started


# ---- a generated county ---------------------------------------------------------------------------------------

def county(edges: int, buildings: int, stations: int, seed: int = 7):
    """(topology, elevation function, building points, households, station points), metres in EPSG:4545."""
    rng = np.random.default_rng(seed)
    side = int(np.sqrt(edges / 2 / 0.9)) + 1  # a side x side lattice has ~2 side^2 edges; 10 % are removed
    spacing = 60.0
    x0, y0 = 520_000.0, 2_960_000.0
    gx, gy = np.meshgrid(np.arange(side), np.arange(side))
    xy = np.column_stack([gx.ravel(), gy.ravel()]) * spacing + rng.uniform(-15, 15, (side * side, 2)) + [x0, y0]
    index = np.arange(side * side).reshape(side, side)
    pairs = np.vstack([np.column_stack([index[:, :-1].ravel(), index[:, 1:].ravel()]),
                       np.column_stack([index[:-1, :].ravel(), index[1:, :].ravel()])])
    pairs = pairs[rng.random(len(pairs)) > 0.1]
    used, inverse = np.unique(pairs, return_inverse=True)
    inverse = inverse.reshape(-1, 2)
    vertices = xy[used]
    pieces = shapely.linestrings(np.stack([vertices[inverse[:, 0]], vertices[inverse[:, 1]]], axis=1))
    topology = Topology(pieces=pieces, source=inverse[:, 0], target=inverse[:, 1], vertices=vertices,
                        origin=np.arange(len(pieces)))
    hills = rng.uniform([x0, y0], [x0 + side * spacing, y0 + side * spacing], (30, 2))

    def elevation(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        d2 = (x[:, None] - hills[:, 0]) ** 2 + (y[:, None] - hills[:, 1]) ** 2
        return 600 + (120 * np.exp(-d2 / (2 * 700.0**2))).sum(axis=1)

    extent = side * spacing
    homes = shapely.points(rng.uniform([x0, y0], [x0 + extent, y0 + extent], (buildings, 2)))
    households = rng.integers(1, 81, buildings)
    station_points = shapely.points(rng.uniform([x0, y0], [x0 + extent, y0 + extent], (stations, 2)))
    return topology, elevation, homes, households, station_points


# ---- the comparisons ------------------------------------------------------------------------------------------

def networkx_graph(walk: Walk, stations: Snap) -> nx.DiGraph:
    """The search graph GeoGrid builds (reversed arcs, one virtual node per station) as a networkx DiGraph."""
    graph = walk._graph(stations).tocoo()
    digraph = nx.DiGraph()
    digraph.add_weighted_edges_from(zip(graph.row.tolist(), graph.col.tolist(), graph.data.tolist()))
    return digraph


def coverage(label: str, walk: Walk, stations: Snap, homes: Snap, weight: np.ndarray) -> np.ndarray:
    net = walk.network
    walk.reach(stations, LIMIT_S)  # warm-up: scipy's first call loads its extension
    reach, ours = timed(walk.reach, stations, LIMIT_S)
    (cost, _), points = timed(walk.at_points, reach.cost, homes, stations, reach.nearest)
    ours += points
    graph, build = timed(networkx_graph, walk, stations)
    starts = set(range(net.vertex_count, net.vertex_count + len(stations)))
    lengths, theirs = timed(nx.multi_source_dijkstra_path_length, graph, starts, cutoff=LIMIT_S)
    theirs += build + points  # the same graph to build and the same step from vertices to buildings
    node_cost = np.full(net.vertex_count, np.inf)
    for node, c in lengths.items():
        if node < net.vertex_count:
            node_cost[node] = c
    assert np.allclose(node_cost, reach.cost, equal_nan=False), "networkx and scipy disagree"

    def ego() -> list[set]:
        reached = []
        for band in (300.0, 600.0, 900.0):
            nodes: set = set()
            for s in starts:
                nodes |= set(nx.ego_graph(graph, s, radius=band, distance="weight").nodes)
            reached.append(nodes)
        return reached

    _, ego_seconds = timed(ego)
    ego_seconds += build
    covered = [int(weight[cost <= b].sum()) for b in (300, 600, 900)]
    print(f"{label}: {net.vertex_count:,} vertices, {len(net.lines):,} edges, {len(stations)} stations, "
          f"{len(homes):,} buildings, {int(weight.sum()):,} households; within 5/10/15 min: "
          + " / ".join(f"{c:,}" for c in covered))
    print(f"  coverage, scipy multi-source Dijkstra (GeoGrid): {ours * 1000:8.1f} ms")
    print(f"  networkx multi_source_dijkstra (same answer):    {theirs * 1000:8.1f} ms  ratio {theirs / ours:6.1f}x"
          f"  (of which {build * 1000:.0f} ms building the DiGraph)")
    print(f"  networkx ego_graph per station and band:         {ego_seconds * 1000:8.1f} ms  ratio "
          f"{ego_seconds / ours:6.1f}x")
    return cost


def pgrouting(label: str, network: WalkingNetwork, walk: Walk, vertex_ids: np.ndarray, stations: Snap) -> None:
    net = walk.network
    starts = np.unique(np.where(stations.fraction < 0.5, net.source[stations.edge], net.target[stations.edge]))
    edge_of = {}
    for e, (s, t) in enumerate(zip(net.source, net.target)):
        edge_of.setdefault(int(s), (e, 0.0))
        edge_of.setdefault(int(t), (e, 1.0))
    at = Snap(np.array([edge_of[v][0] for v in starts]), np.array([edge_of[v][1] for v in starts]),
              np.zeros(len(starts)))
    reach, ours = timed(walk.reach, at, LIMIT_S)
    rows, sql = timed(pgrouting_reach, network, vertex_ids[starts].tolist(), LIMIT_S)
    reached = np.flatnonzero(np.isfinite(reach.cost))
    assert len(rows) == len(reached), "pgRouting and scipy reach different vertices"
    print(f"  pgr_drivingDistance(equicost) from the station vertices: {sql * 1000:8.1f} ms for {len(rows):,} rows,"
          f" scipy on the same starts {ours * 1000:.1f} ms (ratio {sql / ours:.1f}x)")


def site(label: str, walk: Walk, homes: Snap, home_points: np.ndarray, weight: np.ndarray, cost: np.ndarray,
         sites: int, spacing: float) -> None:
    net = walk.network
    candidates = candidate_vertices(net, home_points, spacing=spacing)
    candidate_snap = net.snap(shapely.points(net.vertices[candidates]))
    open_homes = np.flatnonzero(~(cost <= CIRCLE_S))
    covers, cover_seconds = timed(candidate_cover, walk, candidate_snap, homes.take(open_homes), CIRCLE_S)
    model, model_seconds = timed(siting.coverage_model, covers, weight[open_homes])
    best = siting.mclp(model, sites)
    greedy = siting.greedy(model, sites=sites)
    print(f"  siting: {len(candidates):,} candidates (one per {spacing:.0f} m), {len(open_homes):,} uncovered buildings"
          " "
          f"-> {model.covers.shape[0]:,} model rows; coverage model {cover_seconds:.2f} s + {model_seconds:.2f} s")
    print(f"    MCLP PuLP/CBC (GeoGrid), {sites} sites: +{best.covered:,} households in {best.seconds:.2f} s"
          f"{'' if best.optimal else ' (not proven optimal)'};"
          f" greedy +{greedy.covered:,} in {greedy.seconds * 1000:.1f} ms")
    # spopt on the same instance: a dense (buildings x candidates) cost matrix, one row per building.
    dense = np.full((len(open_homes), len(candidates)), 2.0)  # 0 where covered, 2 > the radius where not
    rows, cols = covers.nonzero()
    dense[rows, cols] = 0.0
    started = time.perf_counter()
    from spopt.locate import MCLP

    model_spopt = MCLP.from_cost_matrix(dense, weight[open_homes].astype(float), service_radius=1.0,
                                        p_facilities=sites)
    model_spopt = model_spopt.solve(pulp.PULP_CBC_CMD(msg=False, threads=1))
    spopt_seconds = time.perf_counter() - started
    spopt_covered = int(round(pulp.value(model_spopt.problem.objective)))
    print(f"    spopt MCLP (same instance):  +{spopt_covered:,} households in {spopt_seconds:.2f} s "
          f"(ratio {spopt_seconds / best.seconds:.1f}x)")


def demo(sites: int) -> None:
    network = WalkingNetwork.objects.filter(name=DEMO_NETWORK_NAME).first()
    if network is None:
        sys.exit("no demo walking network: load the demo town (manage.py load_demo) into GEOGRID_DB_NAME first")
    (net, vertex_ids), seconds = timed(load_network, network)
    print(f"demo network loaded from PostGIS in {seconds * 1000:.0f} ms")
    walk = Walk.time(net, network.speed_mps)
    points = to_area_crs(np.asarray([shapely.from_wkb(bytes(p.wkb)) for p in
                                     ServiceStation.objects.values_list("point", flat=True)]))
    rows = list(Building.objects.filter(households__gt=0).values_list("point", "households"))
    home_points = to_area_crs(np.asarray([shapely.from_wkb(bytes(p.wkb)) for p, _ in rows]))
    weight = np.array([h for _, h in rows])
    stations, homes = net.snap(points), net.snap(home_points)
    cost = coverage("demo town", walk, stations, homes, weight)
    pgrouting("demo town", network, walk, vertex_ids, stations)
    site("demo town", walk, homes, home_points, weight, cost, sites, spacing=100.0)


def generated(edges: int, buildings: int, stations: int, sites: int) -> None:
    topology, elevation, home_points, weight, station_points = county(edges, buildings, stations)
    with transaction.atomic():
        network, seconds = timed(build_network, topology, name="基准县步行路网", source=WalkingNetwork.Source.LINES)
        print(f"\ncounty network stored ({len(topology.pieces):,} edges, flat costs) in {seconds:.1f} s")
        (net, vertex_ids), seconds = timed(load_network, network)
        print(f"county network loaded from PostGIS in {seconds:.2f} s")
        length, cost, reverse_cost = edge_costs(net.lines, 1.1, elevation)  # Tobler on the synthetic hills
        walk = Walk(Network(net.source, net.target, length, cost, reverse_cost, net.lines, net.vertices),
                    cost, reverse_cost, 1 / 1.1)
        stations_snap, homes = net.snap(station_points), net.snap(home_points)
        coverage_cost = coverage("county", walk, stations_snap, homes, weight)
        pgrouting("county", network, Walk.time(net, 1.1), vertex_ids, stations_snap)
        site("county", walk, homes, home_points, weight, coverage_cost, sites, spacing=300.0)
        transaction.set_rollback(True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edges", type=int, default=50_000)
    parser.add_argument("--buildings", type=int, default=20_000)
    parser.add_argument("--stations", type=int, default=50)
    parser.add_argument("--sites", type=int, default=10)
    parser.add_argument("--skip-county", action="store_true")
    args = parser.parse_args()
    demo(min(args.sites, 5))
    if not args.skip_county:
        generated(args.edges, args.buildings, args.stations, args.sites)


if __name__ == "__main__":
    main()
