"""Step 11: the terrain under both streets, a DEM for the walking network's slopes and the map's hillshade."""
from __future__ import annotations

import math

import numpy as np
import shapely
from rasterio.transform import Affine
from shapely import LineString, Polygon

from geogrid.demo.town.frame import Frame
from geogrid.demo.town.geometry import Waves, smoothstep
from geogrid.demo.town.specs import Dem


def dem(rng: np.random.Generator, frame: Frame, street: Polygon, street2: Polygon, river: LineString) -> Dem:
    """Hills and ridges around a flat basin holding the town, the river in a valley; 500-900 m. It covers
    both streets (the second one only widens it eastwards: the first street's cells stay as they were)."""
    res = 1 / 3600  # one arc-second: ~28 m east-west, ~31 m north-south here
    lonlat = frame.lonlat(np.vstack([street.exterior.coords, street2.exterior.coords]))
    west, south = lonlat.min(axis=0) - 0.01
    east, north = lonlat.max(axis=0) + 0.01
    west, north = math.floor(west / res) * res, math.ceil(north / res) * res
    cols, rows = math.ceil((east - west) / res), math.ceil((north - south) / res)
    lon, lat = np.meshgrid(west + (np.arange(cols) + 0.5) * res, north - (np.arange(rows) + 0.5) * res)
    x, y = frame.metres(lon.ravel(), lat.ravel())
    r = np.hypot(x, y)
    points = shapely.points(x, y)
    hills = np.zeros_like(x)
    for _ in range(16):
        angle, distance = rng.uniform(0, 2 * np.pi), rng.uniform(1500, 5000)
        hx, hy = distance * math.cos(angle), distance * math.sin(angle)
        sigma = rng.uniform(400, 1100)
        hills += rng.uniform(80, 240) * np.exp(-((x - hx) ** 2 + (y - hy) ** 2) / (2 * sigma**2))
    for _ in range(3):
        angle, distance = rng.uniform(0, 2 * np.pi), rng.uniform(2500, 4000)
        middle = np.array([math.cos(angle), math.sin(angle)]) * distance
        along = np.array([-math.sin(angle), math.cos(angle)]) * 2000  # ridges run across the radius
        ridge = LineString([middle - along, middle + along])
        gap = shapely.distance(ridge, points)
        hills += rng.uniform(120, 180) * np.exp(-(gap**2) / (2 * rng.uniform(250, 400) ** 2))
    ripples = Waves.random(rng, 12.0, (600.0, 310.0, 170.0)).displacement(np.column_stack([x, y])).sum(axis=1)
    valley = 45 * np.exp(-(shapely.distance(river, points) / 180) ** 2)
    elevation = 545 + 60 * smoothstep((r - 800) / 2700) + hills * smoothstep((r - 900) / 1300) + ripples - valley
    return Dem(elevation=np.clip(elevation, 500, 900).reshape(rows, cols).astype(np.float32),
               transform=Affine(res, 0.0, west, 0.0, -res, north))
