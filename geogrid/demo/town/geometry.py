"""Helpers every step uses: random streams, invariants, and small shapely/numpy geometry in metres."""
from __future__ import annotations

import math
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import shapely
from shapely import LineString, MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry


def stream(seed: int, purpose: str) -> np.random.Generator:
    """One random stream per purpose, so changing one part of the town leaves the others as they were."""
    return np.random.default_rng([seed, zlib.crc32(purpose.encode())])


def require(condition: bool, message: str) -> None:
    """Invariants of the generator; unlike `assert` they survive `python -O`."""
    if not condition:
        raise RuntimeError(f"demo town generator: {message}")


def per_vertex(fn: Callable[[np.ndarray], np.ndarray]) -> Callable[[np.ndarray], np.ndarray]:
    """Run a coordinate function once per distinct vertex: a vertex shared by neighbouring polygons then
    gets a bit-identical result in each of them, whatever the array position or SIMD path."""

    def apply(coords: np.ndarray) -> np.ndarray:
        unique, inverse = np.unique(coords, axis=0, return_inverse=True)
        return fn(unique)[inverse.reshape(-1)]

    return apply


@dataclass(frozen=True)
class Waves:
    """A smooth 2-D displacement field made of a few plane sine waves per axis.

    Its gradient is at most sum(amplitude * 2π / wavelength); kept well below 1, a warp by it cannot fold.
    """

    amplitudes: np.ndarray  # (2, n)
    wavevectors: np.ndarray  # (2, n, 2)
    phases: np.ndarray  # (2, n)

    @classmethod
    def random(cls, rng: np.random.Generator, amplitude: float, wavelengths: Iterable[float]) -> Waves:
        k = 2 * np.pi / np.asarray(tuple(wavelengths), dtype=float)
        directions = rng.uniform(0, 2 * np.pi, (2, k.size))
        weights = rng.uniform(0.5, 1.0, (2, k.size))
        return cls(
            amplitudes=amplitude * weights / weights.sum(axis=1, keepdims=True),
            wavevectors=np.stack([np.cos(directions), np.sin(directions)], axis=-1) * k[None, :, None],
            phases=rng.uniform(0, 2 * np.pi, (2, k.size)),
        )

    def displacement(self, xy: np.ndarray) -> np.ndarray:
        return np.column_stack([
            (np.sin(xy @ self.wavevectors[axis].T + self.phases[axis]) * self.amplitudes[axis]).sum(axis=1)
            for axis in (0, 1)
        ])


def smoothstep(t: np.ndarray) -> np.ndarray:
    t = np.clip(t, 0.0, 1.0)
    return t * t * (3 - 2 * t)


def rectangles(centres: np.ndarray, sizes: np.ndarray, angles: np.ndarray) -> np.ndarray:
    """Rectangles from centres (n, 2), sizes (n, 2: along the angle, across it) and angles (n,) in radians."""
    corners = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1], [-1, -1]], dtype=float) / 2
    local = corners[None] * sizes[:, None, :]
    cos, sin = np.cos(angles)[:, None], np.sin(angles)[:, None]
    x = local[..., 0] * cos - local[..., 1] * sin + centres[:, :1]
    y = local[..., 0] * sin + local[..., 1] * cos + centres[:, 1:]
    return shapely.polygons(np.stack([x, y], axis=-1))


def lattice(centre: np.ndarray, angle: float, step: tuple[float, float], radius: float) -> np.ndarray:
    """Points of a rectangular lattice through `centre`, rotated by `angle`, within `radius` of the centre."""
    nx, ny = math.ceil(radius / step[0]), math.ceil(radius / step[1])
    i, j = np.meshgrid(np.arange(-nx, nx + 1), np.arange(-ny, ny + 1))
    local = np.column_stack([i.ravel() * step[0], j.ravel() * step[1]])
    local = local[np.hypot(local[:, 0], local[:, 1]) <= radius]
    cos, sin = math.cos(angle), math.sin(angle)
    return np.column_stack([local[:, 0] * cos - local[:, 1] * sin, local[:, 0] * sin + local[:, 1] * cos]) + centre


def orientation(polygon: Polygon) -> float:
    """Angle of the long side of the minimum rotated rectangle: buildings line up with their block."""
    ring = np.asarray(shapely.oriented_envelope(polygon).exterior.coords)
    sides = ring[1:3] - ring[0:2]
    longest = sides[np.argmax(np.hypot(sides[:, 0], sides[:, 1]))]
    return math.atan2(longest[1], longest[0])


def sample_points(rng: np.random.Generator, polygon: Polygon, n: int) -> np.ndarray:
    """n points uniformly inside the polygon (rejection sampling in its bounding box)."""
    minx, miny, maxx, maxy = polygon.bounds
    shapely.prepare(polygon)
    found: list[np.ndarray] = []
    count = 0
    while count < n:
        xy = rng.uniform((minx, miny), (maxx, maxy), (64, 2))
        inside = xy[shapely.contains_xy(polygon, xy[:, 0], xy[:, 1])]
        found.append(inside)
        count += len(inside)
    return np.concatenate(found)[:n]


def single_polygon(geom: BaseGeometry, what: str) -> Polygon:
    """The geometry as a Polygon: coverage unions of grids must come out as one piece each."""
    require(isinstance(geom, Polygon) and not geom.is_empty, f"{what} is not a single polygon")
    return geom  # type: ignore[return-value]


def polygons_only(geom: BaseGeometry) -> MultiPolygon:
    """The polygonal parts of a geometry (make_valid and buffers may leave lines and points behind)."""
    return MultiPolygon([part for part in shapely.get_parts(geom) if isinstance(part, Polygon) and part.area > 0])


def extend(line: LineString, length: float) -> LineString:
    """The line prolonged at both ends along its end segments (roads and the river run on out of the street)."""
    coords = np.asarray(line.coords)
    start = coords[0] - coords[1]
    end = coords[-1] - coords[-2]
    return LineString([
        coords[0] + start / np.hypot(*start) * length, *coords, coords[-1] + end / np.hypot(*end) * length,
    ])
