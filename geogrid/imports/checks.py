"""Pass-1 checks against the stored data: everything the database would refuse, found for every row at once.

Before anything is written, an import knows which keys are taken (a building's address or id, a grid's code),
and a grid import knows each grid's community and parent, which grids stick out of them (the containment
trigger's own test, `grids_overhang_refused`, run on all rows in one statement) and where the resulting layer
of each community overlaps itself or leaves gaps (warnings: the coverage check, `manage.py validate_coverage`,
is the place to review and repair them). Every problem carries its row number and location, and overhangs,
overlaps and gaps carry the piece itself (GeoJSON and WKT in CGCS2000).
"""
import json
from collections import defaultdict
from dataclasses import dataclass
from functools import partial
from collections.abc import Callable

import numpy as np
import shapely
from django.db import connection
from django.utils.translation import gettext as _

from geogrid.areas.models import Area
from geogrid.buildings.models import Building
from geogrid.core.crs import Crs, from_area_crs, from_storage, to_area_crs
from geogrid.core.refusals import GRID_OUTSIDE_COMMUNITY, GRID_OUTSIDE_PARENT
from geogrid.coverage.selectors import rules_for
from geogrid.grids.models import Grid
from geogrid.imports.validation import CheckedFeature, Problem



def _point_in_file(point: shapely.Point, crs: Crs) -> tuple[float, float]:
    """A CGCS2000 point in the file's own coordinates (problems are located where the file has them)."""
    xs, ys = from_storage(np.array([point.x]), np.array([point.y]), crs)
    return float(xs[0]), float(ys[0])


def _problem(row: CheckedFeature | None, message: str, code: str, crs: Crs, location: shapely.Geometry | None = None,
             piece: shapely.Geometry | None = None) -> Problem:
    """A problem at `location` (CGCS2000; default: inside the row's geometry), with the faulty piece if any."""
    anchor = location if location is not None else (row.geometry.point_on_surface() if row and row.geometry else None)
    return Problem(row.number if row else None, message, row.raw.attributes if row else None,
                   _point_in_file(anchor, crs) if anchor is not None else None, code,
                   json.loads(shapely.to_geojson(piece)) if piece is not None else None,
                   piece.wkt if piece is not None else None)


# ---- keys ------------------------------------------------------------------------------------------------

class BuildingKeys:
    """The stored buildings by key: address (all loaded once: one query for a county) or id (per batch)."""

    def __init__(self, key: str):
        self.key = key
        self.by_address: dict[str, list[int]] | None = None

    def lookup(self, values: list[str]) -> dict[str, list[int]]:
        if self.key == "id":
            ids = [int(v) for v in values if v.isdigit()]
            return {str(pk): [pk] for pk in Building.objects.filter(pk__in=ids).values_list("pk", flat=True)}
        if self.by_address is None:
            self.by_address = defaultdict(list)
            for pk, address in Building.objects.values_list("pk", "address"):
                self.by_address[address].append(pk)
        return {v: self.by_address[v] for v in values if v in self.by_address}


def building_key_problems(rows: list[CheckedFeature], keys: BuildingKeys, mode: str, crs: Crs) -> list[Problem]:
    """Create mode refuses every row whose key is stored (`duplicate_key`); update mode refuses a key that
    matches several stored buildings (`ambiguous_key`) and, keyed by id, an id that matches none."""
    problems = []
    values = [str(r.values[keys.key] or "") for r in rows]
    stored = keys.lookup(values)
    for row, value in zip(rows, values):
        if keys.key == "id" and not value.isdigit():
            problems.append(_problem(row, _("The building id must be a GeoGrid building number (an integer), not "
                                            "{value}.").format(value=repr(value)), "bad_key", crs))
        elif mode == "create" and value in stored:
            problems.append(_problem(row, _("The building {key} {value} already exists (building id {ids}); import it "
                                            "again with --mode update.").format(
                key=keys.key, value=value, ids="、".join(map(str, stored[value]))), "duplicate_key", crs))
        elif mode == "update" and len(stored.get(value, ())) > 1:
            problems.append(_problem(row, _("The address {value} matches {count} stored buildings (building id {ids}): "
                                            "which one to update is unclear; import by building id (--key id).").format(
                value=value, count=len(stored[value]), ids="、".join(map(str, stored[value]))), "ambiguous_key", crs))
        elif mode == "update" and keys.key == "id" and value not in stored:
            problems.append(_problem(row, _("There is no building id {value}.").format(value=value), "unknown_key",
                                     crs))
    return problems


# ---- grids -----------------------------------------------------------------------------------------------

# row, grid, container, problem code, the message given the overhang's m² (`area_m2=`): the containment
# trigger's own words (core/refusals.py) for a grid outside its community or parent
_Pair = tuple[CheckedFeature, shapely.Geometry, shapely.Geometry, str, Callable[..., str]]
CHILD_OUTSIDE = "现有下级网格 {child} 将超出更新后的网格 {grid} {area_m2} m²"


@dataclass
class _Layer:
    """One grid of a community's layer as it will be after the import: from the file (`row`) or stored."""

    code: str
    level: int
    parent_code: str | None
    geometry: shapely.Geometry  # CGCS2000
    row: CheckedFeature | None


def check_grids(rows: list[CheckedFeature], mode: str, crs: Crs) -> tuple[list[Problem], list[Problem]]:
    """Every refusal the database would make, and the overlaps and gaps of each community's resulting layer:
    (errors, warnings)."""
    file_codes = {r.values["code"] for r in rows}
    community_codes = {r.values["community_code"] for r in rows}
    communities = {a.code: a for a in Area.objects.communities().filter(code__in=community_codes)}
    wanted = file_codes | {r.values["parent_code"] for r in rows if r.values["parent_code"]}
    stored = {g.code: g for g in Grid.objects.current().filter(code__in=wanted).select_related("community")}
    by_code = {r.values["code"]: r for r in rows}
    errors: list[Problem] = []
    pairs: list[_Pair] = []
    for row in rows:
        v = row.values
        community = communities.get(v["community_code"])
        if community is None:
            errors.append(_problem(row, _("There is no community or village {code}.").format(code=v["community_code"]),
                                   "unknown_community", crs))
            continue
        if v["level"] not in (1, 2, 3):
            errors.append(_problem(row, _("The grid level must be 1, 2 or 3, not {level}.").format(level=v["level"]),
                                   "bad_level", crs))
            continue
        existing = stored.get(v["code"])
        if existing is not None and mode == "create":
            errors.append(_problem(row, _("The grid code {code} already exists; import it again with --mode update or "
                                          "replace.").format(code=v["code"]), "duplicate_key", crs))
        elif existing is not None and existing.community.code != v["community_code"]:
            errors.append(_problem(row, _("The grid {code} belongs to the community {community}: it cannot move to "
                                          "{other}.").format(code=v["code"], community=existing.community.code,
                                                             other=v["community_code"]), "community_changed", crs))
        pairs.append((row, row.geometry, _shape(community.geom), "outside_community",
                      partial(GRID_OUTSIDE_COMMUNITY.message, grid=v["code"], community=community.name,
                              community_code=community.code)))
        if v["level"] > 1:
            parent = _parent(row, by_code, stored, mode, communities)
            if parent is None:
                errors.append(_problem(row, _("There is no parent grid {code}.").format(
                    code=v["parent_code"] or _("(not given)")), "unknown_parent", crs))
                continue
            level, parent_community, geometry = parent
            if level != v["level"] - 1 or parent_community != v["community_code"]:
                errors.append(_problem(row, _("The parent grid {code} must be a level {level} grid of the same "
                                              "community.").format(code=v["parent_code"], level=v["level"] - 1),
                                       "bad_parent", crs))
                continue
            pairs.append((row, row.geometry, geometry, "outside_parent",
                          partial(GRID_OUTSIDE_PARENT.message, grid=v["code"], parent=v["parent_code"])))
    if mode == "update":  # stored children the file leaves alone follow their parent to its new boundary
        for child in Grid.objects.current().filter(parent__code__in=file_codes).exclude(code__in=file_codes):
            row = by_code[child.parent.code]
            pairs.append((row, _shape(child.geom), row.geometry, "child_outside",
                          partial(CHILD_OUTSIDE.format, child=child.code, grid=row.values["code"])))
    errors += _overhangs(pairs, crs)
    return errors, _coverage_warnings(rows, mode, communities, crs)


def _shape(geom) -> shapely.Geometry:
    return shapely.from_wkb(bytes(geom.wkb))


def _parent(row: CheckedFeature, by_code: dict[str, CheckedFeature], stored: dict[str, Grid], mode: str,
            communities: dict[str, Area]) -> tuple[int, str, shapely.Geometry] | None:
    """(level, community code, geometry) of the row's parent as it will be: the file's row, else the stored
    grid (not in replace mode, which ends every stored grid of the community the file does not name)."""
    code = row.values["parent_code"]
    if code in by_code:
        parent = by_code[code]
        return parent.values["level"], parent.values["community_code"], parent.geometry
    grid = stored.get(code) if code else None
    if grid is None or (mode == "replace" and grid.community.code in communities):
        return None
    return grid.level, grid.community.code, _shape(grid.geom)


OVERHANG_SQL = """
SELECT i.n, round(r.area::numeric, 1), ST_AsBinary(d.piece)
FROM unnest(%(n)s::int[], %(inner)s::bytea[], %(outer)s::bytea[]) AS i(n, inner_wkb, outer_wkb)
CROSS JOIN LATERAL (SELECT ST_GeomFromWKB(i.inner_wkb, 4490) AS inner_geom, ST_GeomFromWKB(i.outer_wkb, 4490) AS outer_geom) g
CROSS JOIN LATERAL (SELECT grids_overhang_refused(g.inner_geom, g.outer_geom) AS area) r
CROSS JOIN LATERAL (SELECT ST_Difference(g.inner_geom, g.outer_geom) AS piece) d
WHERE r.area IS NOT NULL
ORDER BY i.n
"""


def _overhangs(pairs: list[_Pair], crs: Crs) -> list[Problem]:
    """The containment trigger's test on every (grid, container) pair at once, with each overhang piece."""
    if not pairs:
        return []
    with connection.cursor() as cursor:
        cursor.execute(OVERHANG_SQL, {"n": list(range(len(pairs))),
                                      "inner": [shapely.to_wkb(p[1]) for p in pairs],
                                      "outer": [shapely.to_wkb(p[2]) for p in pairs]})
        found = cursor.fetchall()
    problems = []
    for n, area, wkb in found:
        row, _inner, _outer, code, message = pairs[n]
        piece = shapely.from_wkb(bytes(wkb))
        problems.append(_problem(row, f"{message(area_m2=area)}（数据库将拒绝写入）", code, crs,
                                 piece.point_on_surface(), piece))
    return problems


def _coverage_warnings(rows: list[CheckedFeature], mode: str, communities: dict[str, Area],
                       crs: Crs) -> list[Problem]:
    """Overlaps and gaps of each community's layer as the import leaves it, per container (the community for
    level 1, a parent for its children), above the county's sliver tolerance."""
    warnings = []
    for code, community in sorted(communities.items()):
        layer = _layer_after(community, [r for r in rows if r.values["community_code"] == code], mode)
        rules = rules_for(community)
        pointer = _("review and repair it after the import with manage.py validate_coverage --area {code} (or "
                    "the coverage check page)").format(code=code)
        containers = {None: _shape(community.geom)} | {g.code: g.geometry for g in layer.values()}
        groups: dict[str | None, list[_Layer]] = defaultdict(list)
        for grid in layer.values():
            groups[grid.parent_code if grid.level > 1 else None].append(grid)
        for parent_code, members in sorted(groups.items(), key=lambda item: item[0] or ""):
            if not any(m.row for m in members) or parent_code not in containers:
                continue
            for piece, message, kind, row in _pieces(containers[parent_code], members, parent_code, community):
                if piece.area > rules.sliver_tolerance_m2 and 2 * piece.area / piece.length > rules.sliver_width_m:
                    stored = from_area_crs(piece)
                    warnings.append(_problem(row, _("{problem}, area {area} m²; {pointer}").format(
                        problem=message, area=f"{piece.area:,.1f}", pointer=pointer), kind, crs,
                        stored.point_on_surface(), stored))
    return warnings


def _layer_after(community: Area, rows: list[CheckedFeature], mode: str) -> dict[str, _Layer]:
    """The community's current grids as the import leaves them: the file's rows over the stored ones (replace
    mode: the file's rows alone)."""
    layer = {}
    if mode != "replace":
        for grid in Grid.objects.current().filter(community=community).select_related("parent"):
            layer[grid.code] = _Layer(grid.code, grid.level, grid.parent.code if grid.parent else None,
                                      _shape(grid.geom), None)
    for row in rows:
        v = row.values
        layer[v["code"]] = _Layer(v["code"], v["level"], v["parent_code"] if v["level"] > 1 else None,
                                  row.geometry, row)
    return layer


def _pieces(container: shapely.Geometry, members: list[_Layer], parent_code: str | None, community: Area):
    """(piece in metres, message, code, row) for each overlap between two members and each gap they leave."""
    metres = {m.code: to_area_crs(m.geometry) for m in members}
    tree = shapely.STRtree(list(metres.values()))
    codes = list(metres)
    for i, j in zip(*tree.query(list(metres.values()), predicate="intersects")):
        if i >= j:
            continue
        a, b = members[i], members[j]
        for piece in _polygons(metres[codes[i]].intersection(metres[codes[j]])):
            yield piece, _("The grids {a} and {b} overlap").format(a=a.code, b=b.code), "overlap", a.row or b.row
    where = (_("the parent grid {code}").format(code=parent_code) if parent_code else
             _("the community {name} ({code})").format(name=community.name, code=community.code))
    gaps = to_area_crs(container).difference(shapely.union_all(list(metres.values())))
    for piece in _polygons(gaps):
        yield piece, _("There is a gap no grid covers in {where}").format(where=where), "gap", next(
            m.row for m in members if m.row)


def _polygons(geometry: shapely.Geometry) -> list[shapely.Geometry]:
    return [g for g in shapely.get_parts(geometry) if g.geom_type == "Polygon" and not g.is_empty]
