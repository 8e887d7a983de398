"""Step 4: roads and the river along the shared grid edges, so grid boundaries are road centre lines by
construction.

The shared boundary of every pair of neighbouring level-1 grids is cut into pieces from junction to
junction. The main road, the second road and the river are shortest paths across the street between
boundary nodes (the river prefers community borders and avoids the roads); the other pieces are grouped into
named roads by straight continuation.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np
import shapely
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from shapely import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry

from geogrid.demo.town.constants import ESTATE_NAME, RURAL_ROAD_NAMES, URBAN_ROAD_NAMES
from geogrid.demo.town.geometry import extend, require
from geogrid.demo.town.grids import Grid, level1
from geogrid.demo.town.specs import RoadSpec

Node = tuple[float, ...]  # a junction: the exact coordinates where pieces end


class Piece(NamedTuple):
    """A stretch of boundary shared by two level-1 grids, from junction to junction: a road or the river."""

    line: LineString
    grids: tuple[int, int]


class Network(NamedTuple):
    pieces: list[Piece]
    neighbours: dict[int, set[int]]  # level-1 grids sharing a boundary line
    river_pieces: set[int]  # indices into `pieces`
    river: LineString  # centre line, prolonged beyond the street
    roads: list[RoadSpec]  # main, second, named roads, then the estate's paths


def road_network(grids: Sequence[Grid], street: Polygon, estate_paths: Sequence[LineString]) -> Network:
    pieces = shared_pieces(grids)
    neighbours: dict[int, set[int]] = {i: set() for i in level1(grids)}
    for piece in pieces:
        a, b = piece.grids
        neighbours[a].add(b)
        neighbours[b].add(a)
    edges = [(p.line.coords[0], p.line.coords[-1], p.line.length) for p in pieces]
    nodes = sorted({node for a, b, _ in edges for node in (a, b)})
    terminals = [node for node in nodes if street.exterior.distance(Point(node)) < 1e-6]
    require(len(terminals) >= 4, "too few roads reach the street boundary")

    def path(start_key: Callable[[Node], float], end_key: Callable[[Node], float], factors: list[float]) -> list[int]:
        costs = [(a, b, length * factor) for (a, b, length), factor in zip(edges, factors)]
        return shortest_path(costs, max(terminals, key=start_key), max(terminals, key=end_key))

    primary = path(lambda n: -n[0], lambda n: n[0], [1.0] * len(edges))  # west to east
    taken = set(primary)
    secondary = path(lambda n: n[1], lambda n: -n[1], [1e6 if i in taken else 1.0 for i in range(len(edges))])
    taken |= set(secondary)
    border = [grids[p.grids[0]].community != grids[p.grids[1]].community for p in pieces]
    river = path(lambda n: n[1] - n[0], lambda n: n[0] - n[1],
                 [1e6 if i in taken else 0.35 if border[i] else 1.0 for i in range(len(edges))])
    roads = [RoadSpec(name="人民大道", kind="primary", geom=extend(_merge(pieces, primary), 1500.0)),
             RoadSpec(name="解放路", kind="secondary", geom=extend(_merge(pieces, secondary), 1000.0))]
    river_pieces = set(river)
    excluded = taken | river_pieces
    roads += _named_roads(grids, pieces, [i for i in range(len(pieces)) if i not in excluded])
    roads += [RoadSpec(name=f"{ESTATE_NAME}内部道路", kind="path", geom=line) for line in estate_paths]
    return Network(pieces=pieces, neighbours=neighbours, river_pieces=river_pieces,
                   river=extend(_merge(pieces, river), 1200.0), roads=roads)


def shared_pieces(grids: Sequence[Grid]) -> list[Piece]:
    """The shared boundaries of neighbouring level-1 grids, merged into lines from junction to junction."""
    members = level1(grids)
    geoms = np.array([grids[i].geom for i in members], dtype=object)
    left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    pieces = []
    for a, b in zip(left, right):
        if a >= b:
            continue
        shared = shapely.intersection(geoms[a].boundary, geoms[b].boundary)
        lines = [p for p in shapely.get_parts(shared) if isinstance(p, LineString)]
        if lines:
            for line in shapely.get_parts(shapely.line_merge(shapely.multilinestrings(lines))):
                pieces.append(Piece(line=line, grids=(members[a], members[b])))
    return pieces


def shortest_path(edges: Sequence[tuple[Node, Node, float]], start: Node, end: Node) -> list[int]:
    """The indices of the edges on a shortest path over undirected edges (node, node, cost).

    A sparse matrix holds one edge per node pair, so of parallel edges (two grids meeting twice between the
    same junctions) the cheapest is kept, the first one on a tie, the one a heap-based search settling on
    strict improvement would take. Loops never lie on a shortest path and are left out.
    """
    nodes = sorted({node for a, b, _ in edges for node in (a, b)})
    number = {node: i for i, node in enumerate(nodes)}
    a = np.array([number[e[0]] for e in edges])
    b = np.array([number[e[1]] for e in edges])
    cost = np.array([e[2] for e in edges], dtype=float)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    order = np.lexsort((np.arange(len(edges)), cost, hi, lo))
    order = order[lo[order] != hi[order]]
    first = np.ones(len(order), dtype=bool)
    first[1:] = (lo[order][1:] != lo[order][:-1]) | (hi[order][1:] != hi[order][:-1])
    chosen = order[first]
    graph = csr_matrix((cost[chosen], (lo[chosen], hi[chosen])), shape=(len(nodes), len(nodes)))
    _, predecessors = dijkstra(graph, directed=False, indices=number[start], return_predecessors=True)
    edge_of = {(int(lo[i]), int(hi[i])): int(i) for i in chosen}
    node = number[end]
    require(node == number[start] or predecessors[node] >= 0, "no path between the two street-boundary nodes")
    path = []
    while node != number[start]:
        previous = int(predecessors[node])
        path.append(edge_of[(min(previous, node), max(previous, node))])
        node = previous
    return path[::-1]


def strokes(pieces: Sequence[LineString]) -> list[list[int]]:
    """Group road pieces into named roads ("strokes"): at every junction the two pieces that continue each
    other most straightly (deflection under 45°) belong to the same road. Groups come in the order of their
    first piece, pieces in order."""
    ends: dict[Node, list[tuple[int, np.ndarray]]] = {}
    for index, piece in enumerate(pieces):
        for end in (0, 1):
            node = piece.coords[0] if end == 0 else piece.coords[-1]
            towards = piece.interpolate(min(30.0, piece.length / 2) if end == 0 else max(0.0, piece.length - 30.0))
            direction = np.asarray(towards.coords[0]) - np.asarray(node)
            ends.setdefault(node, []).append((index, direction / max(np.hypot(*direction), 1e-9)))
    joins: list[tuple[int, int]] = []
    for incident in ends.values():
        pairs = sorted(
            (float(a[1] @ b[1]), ia, ib)
            for ia, a in enumerate(incident) for ib, b in enumerate(incident) if ia < ib and a[0] != b[0]
        )
        used: set[int] = set()
        for dot, ia, ib in pairs:
            if dot < -0.7 and ia not in used and ib not in used:
                used.update((ia, ib))
                joins.append((incident[ia][0], incident[ib][0]))
    rows, cols = np.array(joins, dtype=int).reshape(-1, 2).T
    graph = coo_matrix((np.ones(len(joins)), (rows, cols)), shape=(len(pieces), len(pieces)))
    _, labels = connected_components(graph, directed=False)
    groups: dict[int, list[int]] = {}
    for index, label in enumerate(labels.tolist()):
        groups.setdefault(label, []).append(index)
    return list(groups.values())


def _merged(pieces: Sequence[Piece], chosen: list[int]) -> BaseGeometry:
    return shapely.line_merge(shapely.multilinestrings([pieces[i].line for i in chosen]))


def _merge(pieces: Sequence[Piece], chosen: list[int]) -> LineString:
    """The pieces of a path as one line (a road or the river must not fall apart)."""
    merged = _merged(pieces, chosen)
    require(isinstance(merged, LineString), "a road or river path is not one line")
    return merged  # type: ignore[return-value]


def _named_roads(grids: Sequence[Grid], pieces: Sequence[Piece], chosen: list[int]) -> list[RoadSpec]:
    """Name the other shared edges: strokes of straight continuation. Urban strokes are streets (the four
    longest are secondary roads), strokes touching a rural grid are village roads."""
    groups = [[chosen[i] for i in group] for group in strokes([pieces[i].line for i in chosen])]
    urban = [s for s in groups if not any(grids[g].is_rural for i in s for g in pieces[i].grids)]
    rural = [s for s in groups if s not in urban]
    urban.sort(key=lambda s: -sum(pieces[i].line.length for i in s))
    require(len(urban) <= len(URBAN_ROAD_NAMES) and len(rural) <= len(RURAL_ROAD_NAMES), "too few road names")
    named = [(URBAN_ROAD_NAMES[rank], "secondary" if rank < 4 else "residential", s) for rank, s in enumerate(urban)]
    named += [(name, "rural", s) for name, s in zip(RURAL_ROAD_NAMES, rural)]
    return [RoadSpec(name=name, kind=kind, geom=line) for name, kind, stroke in named
            for line in shapely.get_parts(_merged(pieces, stroke))]
