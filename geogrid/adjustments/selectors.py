"""Reads for the grid editor: a community's draft, its live statistics, who may edit or approve, history.

The editor works on a draft: the community's current grids of one level as GeoJSON in CGCS2000, each
feature carrying its code, its grid row id (none for a new grid) and live statistics (buildings,
households, population, area, sizing-rule violations). Geometry operations run in metres
(`GEOGRID_AREA_SRID`), see `partition.py`.
"""
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet
from shapely.geometry.base import BaseGeometry

from geogrid.accounts.selectors import area_code_prefix, scope_of
from geogrid.adjustments.models import ChangeRequest
from geogrid.adjustments.partition import Building as Footprint
from geogrid.adjustments.partition import snapped
from geogrid.areas.models import Area
from geogrid.buildings.models import Building
from geogrid.core.models import Generation
from geogrid.core.selectors import previous_generation
from geogrid.core.crs import from_area_crs, to_area_crs
from geogrid.coverage.selectors import rules_for
from geogrid.grids.models import Grid

GridFeature = dict[str, Any]


def as_shapely(geos_geometry) -> BaseGeometry:
    return shapely.from_wkb(bytes(geos_geometry.wkb))


# ---- who may do what -------------------------------------------------------------------------------------

def _area_prefix(user: User | AnonymousUser) -> str | None:
    """The code prefix of an area user's area ("" for superusers); None for department users (a police
    station's clerk works for the department, not the street's grids) and users without a scope."""
    prefix = area_code_prefix(user)
    scope = scope_of(user)
    area_user = user.is_superuser or (scope is not None and scope.area_id is not None)
    return prefix if area_user else None


def may_edit(user: User | AnonymousUser, community: Area) -> bool:
    """Users with the right to propose grid changes, inside their own area (not department users)."""
    prefix = _area_prefix(user)
    return (prefix is not None and community.code.startswith(prefix)
            and user.has_perm("adjustments.add_changerequest"))


def may_approve(user: User | AnonymousUser, request: ChangeRequest) -> bool:
    """The street's grid centre: the approve permission and an area covering the community."""
    return may_edit(user, request.community) and user.has_perm("adjustments.approve_changerequest")


def requests_visible_to(user: User | AnonymousUser) -> "QuerySet[ChangeRequest]":
    """The change requests of the communities in an area user's area; none for department users."""
    prefix = _area_prefix(user)
    requests = ChangeRequest.objects.select_related("community", "created_by", "decided_by")
    return requests.none() if prefix is None else requests.filter(community__code__startswith=prefix)


# ---- drafts ----------------------------------------------------------------------------------------------

def current_grids(community: Area, level: int = 1) -> "QuerySet[Grid]":
    return Grid.objects.current().filter(community=community, level=level).order_by("code")


def draft_of(community: Area, level: int = 1) -> tuple[dict[str, BaseGeometry], dict[str, GridFeature]]:
    """The community's current grids of a level: geometry in metres (snapped) and properties, by code."""
    grids = list(current_grids(community, level))
    partition = snapped({g.code: to_area_crs(as_shapely(g.geom)) for g in grids})
    properties = {g.code: {"code": g.code, "name": g.name, "grid_id": g.pk, "kind": g.kind, "setting": g.setting,
                           "level": g.level} for g in grids}
    return partition, properties


def footprints_in(community: Area) -> tuple[list[Footprint], np.ndarray, np.ndarray]:
    """The community's buildings: footprints (metres) no edit may cut, and their points and counts for the
    live statistics (points as an (n, 2) array; counts as (n, 3): households, resident households, people)."""
    rows = list(Building.objects.filter(point__within=community.geom)
                .values_list("id", "point", "footprint", "households", "resident_households", "population"))
    footprints = [Footprint(pk, to_area_crs(as_shapely(fp))) for pk, _, fp, *_ in rows if fp is not None]
    points = shapely.get_coordinates(to_area_crs(shapely.MultiPoint([as_shapely(r[1]) for r in rows]))) if rows \
        else np.empty((0, 2))
    counts = np.array([[r[3] or 0, r[4] or 0, r[5] or 0] for r in rows], dtype=np.int64).reshape(-1, 3)
    return footprints, points, counts


@dataclass
class Statistics:
    buildings: int
    households: int
    resident_households: int
    population: int
    area_m2: float
    violations: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {"buildings": self.buildings, "households": self.households,
                "resident_households": self.resident_households, "population": self.population,
                "area_m2": round(self.area_m2, 1), "violations": self.violations}


def statistics(community: Area, partition: dict[str, BaseGeometry], properties: dict[str, GridFeature],
               points: np.ndarray, counts: np.ndarray) -> dict[str, Statistics]:
    """Buildings (by their point, 以房定户), households, population, area and rule violations per grid."""
    rules = rules_for(community).size_rules()
    result = {}
    for code, geom in partition.items():
        inside = shapely.contains_xy(geom, points[:, 0], points[:, 1]) if len(points) else np.zeros(0, bool)
        households, resident, population = (int(v) for v in counts[inside].sum(axis=0)) if inside.any() \
            else (0, 0, 0)
        props = properties.get(code, {})
        level, setting = props.get("level", 1), props.get("setting", Grid.Setting.URBAN)
        violations = [v for rule in rules if rule.applies_to(level, setting)
                      and (v := rule.violation(households, resident))]
        result[code] = Statistics(int(inside.sum()), households, resident, population, geom.area, violations)
    return result


def as_feature_collection(partition: dict[str, BaseGeometry], properties: dict[str, GridFeature],
                          stats: dict[str, Statistics] | None = None) -> dict[str, Any]:
    """The draft as GeoJSON in CGCS2000 (lon/lat), ordered by code."""
    features = []
    for code in sorted(partition):
        props = {**properties.get(code, {"code": code}), "code": code}
        if stats is not None:
            props["stats"] = stats[code].as_dict()
        features.append({"type": "Feature", "id": code, "properties": props,
                         "geometry": mapping(from_area_crs(partition[code]))})
    return {"type": "FeatureCollection", "features": features}


# ---- history ---------------------------------------------------------------------------------------------

def history_of(community: Area, level: int = 1) -> list[dict[str, Any]]:
    """Every generation that changed the community's grids of a level, newest first, with what changed."""
    rows = Grid.objects.filter(community=community, level=level)
    generations = set(rows.values_list("generation_low", flat=True))
    versions = []
    for generation in Generation.objects.filter(pk__in=generations).order_by("-pk").select_related("created_by"):
        started = set(rows.filter(generation_low=generation).values_list("code", flat=True))
        previous = previous_generation(generation)  # None for the first version: nothing ended (not "current")
        ended = set(rows.filter(generation_high=previous).values_list("code", flat=True)) if previous else set()
        request = generation.change_requests.first()
        versions.append({"generation": generation.pk, "created_at": generation.created_at.isoformat(),
                         "description": generation.description,
                         "by": generation.created_by.get_username() if generation.created_by else None,
                         "request": request.pk if request else None,
                         "added": sorted(started - ended), "changed": sorted(started & ended),
                         "removed": sorted(ended - started)})
    return versions


def grids_at(community: Area, generation: int, level: int = 1) -> "QuerySet[Grid]":
    return Grid.objects.at(generation).filter(community=community, level=level).order_by("code")
