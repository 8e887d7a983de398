"""Walking networks as arrays: noding a roads layer, edge costs, snapping, multi-source reach, isochrones.

Pure numpy/scipy/shapely in metres of a projected CRS, no Django: hand-built networks test it directly and
the bench times exactly what the service runs.

Direction. A resident walks from home to a station, so what matters is the time from every place TO the
nearest station. One Dijkstra from all stations at once over the reversed arcs gives it: the arc u→v of the
search carries the cost of walking v→u. With Tobler's function uphill and downhill differ, so this is not
the same as the time from the station.

Points on edges. Stations, buildings and candidate sites sit beside the network: each is snapped to the
nearest point of the nearest edge, and the snap distance is walked too (at the flat speed). A station is a
virtual node joined to both ends of its edge by the partial costs; a building's time is the best of walking
to either end of its edge and on, or straight along the edge to a station on the same edge.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import shapely
import shapely.ops
from scipy.sparse import csr_array
from scipy.sparse.csgraph import connected_components, dijkstra

# GB 50180-2018 equates a 15-minute walk with about 1000 m, 10 with 500 m and 5 with 300 m: 1.0-1.1 m/s.
# Street surveys put healthy adults at 1.2-1.4 m/s and people over 65 (who use party-mass stations most)
# at about 1.0-1.1 m/s; 1.1 m/s keeps the time mode consistent with the standard's distances.
WALKING_SPEED_MPS = 1.1
# Tobler's hiking function W = 6·exp(-3.5·|slope + 0.05|) km/h peaks on a 5 % downhill. Only its shape is
# used: the speed on flat ground is the configured one, so time and standard modes agree on the flat.
TOBLER_FLAT = math.exp(-3.5 * 0.05)
SLOPE_STEP_M = 30.0  # elevations sampled every 30 m along an edge: the resolution of a 1" DEM
NODE_TOLERANCE_M = 0.5  # a line ending this close to another line joins it (a T-junction)
ISOCHRONE_BUFFER_M = 40.0  # reached streets widened by this much: the buildings along them
ElevationFn = Callable[[np.ndarray, np.ndarray], np.ndarray]  # metric x, y -> metres


def tobler_factor(slope: np.ndarray) -> np.ndarray:
    """Walking speed on `slope` (rise over run, signed in the walking direction) relative to the flat."""
    return np.exp(-3.5 * np.abs(slope + 0.05)) / TOBLER_FLAT


def edge_costs(lines: np.ndarray, speed: float, elevation: ElevationFn | None = None
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(length m, cost s along the line, reverse cost s against it) for metric `lines`.

    Without `elevation` both directions take length/speed. With it, every line is sampled every
    SLOPE_STEP_M and each piece is walked at Tobler's speed for its own slope, so a road over a ridge is
    slow both ways and a long climb is slower up than down.
    """
    length = shapely.length(lines)
    if elevation is None:
        seconds = length / speed
        return length, seconds, seconds.copy()
    dense = shapely.segmentize(lines, SLOPE_STEP_M)
    coords, index = shapely.get_coordinates(dense, return_index=True)
    z = np.asarray(elevation(coords[:, 0], coords[:, 1]), dtype=np.float64)
    same = index[1:] == index[:-1]
    run = np.hypot(np.diff(coords[:, 0]), np.diff(coords[:, 1]))[same]
    rise = np.diff(z)[same]
    slope = np.divide(rise, run, out=np.zeros_like(run), where=run > 0)
    owner = index[:-1][same]
    forward = np.bincount(owner, run / (speed * tobler_factor(slope)), minlength=len(lines))
    backward = np.bincount(owner, run / (speed * tobler_factor(-slope)), minlength=len(lines))
    return length, forward, backward


@dataclass
class Topology:
    """Noded pieces of a lines layer: piece i runs from vertex source[i] to target[i]; origin[i] is the
    input line it came from."""

    pieces: np.ndarray
    source: np.ndarray
    target: np.ndarray
    vertices: np.ndarray  # (n, 2) metric coordinates
    origin: np.ndarray


def node_lines(lines: np.ndarray, tolerance: float = NODE_TOLERANCE_M) -> Topology:
    """A routable topology from lines that were drawn, not built as a graph (a roads layer).

    Lines are split where they cross, and a line ending on (within `tolerance` of) another line splits
    that line there: village access roads end on the road they join, not on one of its vertices.
    Bridges over roads would be joined too; an OSM extract keeps its own topology instead (see services).
    """
    lines = np.asarray(lines, dtype=object)
    ends = shapely.points(np.concatenate([shapely.get_coordinates(shapely.get_point(lines, i)) for i in (0, -1)]))
    tree = shapely.STRtree(lines)
    end_index, line_index = tree.query(ends, predicate="dwithin", distance=tolerance)
    inserts: dict[int, list[shapely.Point]] = {}
    for e, j in zip(end_index, line_index):
        line, point = lines[j], ends[e]
        if min(point.distance(shapely.get_point(line, 0)), point.distance(shapely.get_point(line, -1))) > tolerance:
            inserts.setdefault(int(j), []).append(point)
    lines = lines.copy()
    for j, points in inserts.items():
        lines[j] = _insert_vertices(lines[j], points)
    noded = shapely.get_parts(shapely.node(shapely.multilinestrings(lines)))
    noded = noded[shapely.length(noded) > 0]
    # Which input line a piece lies on: the one nearest its midpoint.
    middles = shapely.line_interpolate_point(noded, 0.5, normalized=True)
    origin = tree.query_nearest(middles, all_matches=False)[1]
    starts = shapely.get_coordinates(shapely.get_point(noded, 0))
    stops = shapely.get_coordinates(shapely.get_point(noded, -1))
    vertices, inverse = np.unique(np.round(np.vstack([starts, stops]), 3), axis=0, return_inverse=True)
    inverse = inverse.ravel()
    return Topology(pieces=noded, source=inverse[: len(noded)], target=inverse[len(noded):], vertices=vertices,
                    origin=origin)


def _insert_vertices(line: shapely.LineString, points: list[shapely.Point]) -> shapely.LineString:
    """`line` passing exactly through each of `points` (each within the node tolerance of it)."""
    coords = shapely.get_coordinates(line)
    along = shapely.line_locate_point(line, shapely.points(coords))
    at = shapely.line_locate_point(line, np.asarray(points, dtype=object))
    merged = np.vstack([coords, shapely.get_coordinates(np.asarray(points, dtype=object))])
    order = np.argsort(np.concatenate([along, at]), kind="stable")
    return shapely.linestrings(merged[order])


@dataclass
class Network:
    """A routable network in metres: edge i runs from vertex source[i] to target[i] along lines[i]."""

    source: np.ndarray
    target: np.ndarray
    length: np.ndarray
    cost: np.ndarray  # seconds walking source -> target
    reverse_cost: np.ndarray  # seconds walking target -> source
    lines: np.ndarray
    vertices: np.ndarray  # (n, 2)

    @property
    def vertex_count(self) -> int:
        return len(self.vertices)

    def __post_init__(self) -> None:
        self._tree: shapely.STRtree | None = None

    def main_edges(self) -> np.ndarray:
        """Edges of the largest connected part: what points snap to. An island (a compound's ring road that
        no street reaches) would strand every building snapped to it, though people walk across to the
        street beyond."""
        graph = csr_array((np.ones(len(self.source)), (self.source, self.target)),
                          shape=(self.vertex_count, self.vertex_count))
        _, label = connected_components(graph, directed=False)
        return np.flatnonzero(label[self.source] == np.bincount(label[self.source]).argmax())

    def snap(self, points: np.ndarray) -> Snap:
        """Each point's nearest place on the network's main part."""
        if self._tree is None:
            self._snappable = self.main_edges()
            self._tree = shapely.STRtree(self.lines[self._snappable])
        points = np.asarray(points, dtype=object)
        if len(points) == 0:
            return Snap(np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0))
        (_, found), distance = self._tree.query_nearest(points, all_matches=False, return_distance=True)
        edge = self._snappable[found]
        fraction = shapely.line_locate_point(self.lines[edge], points, normalized=True)
        return Snap(edge=edge.astype(np.int64), fraction=fraction, distance=distance)


@dataclass
class Snap:
    """Points placed on a network: on edge[i] at `fraction` of its length from its source, `distance` off it."""

    edge: np.ndarray
    fraction: np.ndarray
    distance: np.ndarray

    def __len__(self) -> int:
        return len(self.edge)

    def take(self, index: np.ndarray) -> Snap:
        return Snap(self.edge[index], self.fraction[index], self.distance[index])


@dataclass
class Reach:
    """Walking cost from every vertex to the nearest source (inf beyond the limit) and which source."""

    cost: np.ndarray
    nearest: np.ndarray  # source index, -1 where none is within the limit


class Walk:
    """A network with one way of counting: seconds (time mode) or metres (standard mode).

    `forward`/`backward` are the costs of walking each edge along / against it, `offroad` the cost of a
    metre of snap distance (1/speed in time mode, 1 in standard mode).
    """

    def __init__(self, network: Network, forward: np.ndarray, backward: np.ndarray, offroad: float) -> None:
        self.network = network
        self.forward = np.asarray(forward, dtype=np.float64)
        self.backward = np.asarray(backward, dtype=np.float64)
        self.offroad = offroad

    @classmethod
    def time(cls, network: Network, speed: float) -> Walk:
        return cls(network, network.cost, network.reverse_cost, 1.0 / speed)

    @classmethod
    def distance(cls, network: Network) -> Walk:
        return cls(network, network.length, network.length, 1.0)

    def _graph(self, sources: Snap) -> csr_array:
        """The reversed arcs (search from the sources outwards), plus one virtual node per source after the
        network's vertices. Parallel arcs keep their cheapest cost (a sparse matrix would add them up)."""
        n, net = self.network.vertex_count, self.network
        k = np.arange(len(sources)) + n
        start_cost = sources.distance * self.offroad
        rows = np.concatenate([net.target, net.source, k, k])
        cols = np.concatenate([net.source, net.target, net.source[sources.edge], net.target[sources.edge]])
        cost = np.concatenate([
            self.forward, self.backward,
            start_cost + sources.fraction * self.forward[sources.edge],  # walking source-end -> station
            start_cost + (1 - sources.fraction) * self.backward[sources.edge],  # target-end -> station
        ])
        order = np.lexsort((cost, cols, rows))
        rows, cols, cost = rows[order], cols[order], cost[order]
        first = np.ones(len(rows), dtype=bool)
        first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
        size = n + len(sources)
        # Explicit zeros stay arcs in a sparse graph; a tiny floor keeps them from being dropped anyway.
        return csr_array((np.maximum(cost[first], 1e-9), (rows[first], cols[first])), shape=(size, size))

    def reach(self, sources: Snap, limit: float = np.inf) -> Reach:
        """One multi-source Dijkstra: for every vertex the cost to its nearest source, up to `limit`."""
        n = self.network.vertex_count
        if len(sources) == 0:
            return Reach(np.full(n, np.inf), np.full(n, -1))
        graph = self._graph(sources)
        cost, _, nearest = dijkstra(graph, directed=True, indices=np.arange(len(sources)) + n, limit=limit,
                                    min_only=True, return_predecessors=True)
        nearest = np.where(nearest >= 0, nearest - n, -1)
        return Reach(cost[:n], nearest[:n])

    def reach_each(self, sources: Snap, limit: float) -> np.ndarray:
        """(len(sources), vertices) costs from each vertex to each source separately: candidate sites."""
        n = self.network.vertex_count
        graph = self._graph(sources)
        costs = dijkstra(graph, directed=True, indices=np.arange(len(sources)) + n, limit=limit)
        return costs[:, :n]

    def at_points(self, node_cost: np.ndarray, points: Snap, sources: Snap,
                  node_nearest: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Cost from each point to its best source given the vertices' costs `node_cost` (1-D: nearest
        source, with `node_nearest` saying which; 2-D: one row per source) -> (cost, source index).

        The point walks to its edge, then to either end of it, or along the edge straight to a source on
        the same edge (a building next door to the station never detours through a junction).
        """
        net = self.network
        edge, f = points.edge, points.fraction
        to_source_end = f * self.backward[edge]
        to_target_end = (1 - f) * self.forward[edge]
        if node_cost.ndim == 1:
            via_s = node_cost[net.source[edge]] + to_source_end
            via_t = node_cost[net.target[edge]] + to_target_end
            cost = np.minimum(via_s, via_t)
            best = np.where(via_s <= via_t, node_nearest[net.source[edge]], node_nearest[net.target[edge]])
            for i, j, direct in _same_edge(points, sources, self.forward, self.backward, self.offroad):
                if direct < cost[i]:
                    cost[i], best[i] = direct, j
            cost = cost + points.distance * self.offroad
            return cost, np.where(np.isfinite(cost), best, -1)
        via_s = node_cost[:, net.source[edge]] + to_source_end
        via_t = node_cost[:, net.target[edge]] + to_target_end
        cost = np.minimum(via_s, via_t)
        for i, j, direct in _same_edge(points, sources, self.forward, self.backward, self.offroad):
            cost[j, i] = min(cost[j, i], direct)
        return cost + points.distance * self.offroad, np.zeros(0, dtype=np.int64)

    def isochrones(self, reach: Reach, sources: Snap, bands: list[float],
                   buffer_m: float = ISOCHRONE_BUFFER_M) -> list[shapely.Geometry]:
        """One polygon per band: the parts of streets from which a source is within the band, widened by
        `buffer_m` (buffered reached edges rather than a concave hull of nodes: long rural edges reached
        half-way and valleys between reached roads come out right)."""
        net = self.network
        polygons = []
        for band in bands:
            # Fractions f of each edge within the band: walking to the source end (f <= a), to the target
            # end (f >= b), or to a source on the edge itself ([lo, hi]).
            a = np.divide(band - reach.cost[net.source], self.backward, out=np.full(len(net.lines), np.inf),
                          where=self.backward > 0)
            b = 1 - np.divide(band - reach.cost[net.target], self.forward, out=np.full(len(net.lines), np.inf),
                              where=self.forward > 0)
            intervals: list[tuple[int, float, float]] = []
            a, b = np.clip(a, -1, 2), np.clip(b, -1, 2)
            for e in np.flatnonzero((a >= 0) | (b <= 1)):
                if a[e] >= b[e]:
                    intervals.append((e, 0.0, 1.0))
                    continue
                if a[e] >= 0:
                    intervals.append((e, 0.0, min(a[e], 1.0)))
                if b[e] <= 1:
                    intervals.append((e, max(b[e], 0.0), 1.0))
            for e, g, remaining in zip(sources.edge, sources.fraction, band - sources.distance * self.offroad):
                if remaining >= 0:
                    lo = g - remaining / self.forward[e] if self.forward[e] > 0 else 0.0
                    hi = g + remaining / self.backward[e] if self.backward[e] > 0 else 1.0
                    intervals.append((int(e), max(lo, 0.0), min(hi, 1.0)))
            parts = [net.lines[e] if lo <= 0 and hi >= 1 else
                     shapely.ops.substring(net.lines[e], lo, hi, normalized=True) for e, lo, hi in intervals]
            if not parts:
                polygons.append(shapely.MultiPolygon())
                continue
            reached = shapely.union_all(shapely.buffer(np.asarray(parts, dtype=object), buffer_m, quad_segs=4))
            polygons.append(reached)
        return polygons


def _same_edge(points: Snap, sources: Snap, forward: np.ndarray, backward: np.ndarray, offroad: float):
    """(point index, source index, cost) for every point sharing an edge with a source: the walk along the
    edge to the source's snap point and on to the source. The point's own snap walk is the caller's."""
    by_edge: dict[int, list[int]] = {}
    for j, e in enumerate(sources.edge):
        by_edge.setdefault(int(e), []).append(j)
    if not by_edge:
        return
    shared = np.flatnonzero(np.isin(points.edge, list(by_edge)))
    for i in shared:
        e, f = int(points.edge[i]), points.fraction[i]
        for j in by_edge[e]:
            g = sources.fraction[j]
            along = (g - f) * forward[e] if g >= f else (f - g) * backward[e]
            yield int(i), j, along + sources.distance[j] * offroad
