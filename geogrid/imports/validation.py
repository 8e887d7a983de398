"""Checking features against a schema before anything is written: attributes, geometry type, validity.

Every problem names the feature's number in the file, its attributes and, for geometry, where the problem is.
"""
import re
from dataclasses import asdict, dataclass

import shapely
from django.utils.translation import gettext as _

from geogrid.imports.readers import Feature
from geogrid.imports.schemas import Field, GeometryKind, Schema

POLYGONAL = {"Polygon", "MultiPolygon"}
ACCEPTED_TYPES = {
    GeometryKind.POLYGON: POLYGONAL,
    GeometryKind.POINT: {"Point"},
    GeometryKind.LINE: {"LineString", "MultiLineString"},
    GeometryKind.POINT_OR_POLYGON: POLYGONAL | {"Point"},
}
REASON_LOCATION = re.compile(r"\[\s*(-?[\d.eE+-]+)\s+(-?[\d.eE+-]+)\s*\]")


@dataclass
class Problem:
    """One finding about one feature (or the whole file when `number` is None)."""

    number: int | None
    message: str
    attributes: dict | None = None
    location: tuple[float, float] | None = None  # in the file's own coordinates
    code: str | None = None  # a stable code (archive_too_large, duplicate_key, outside_community, overlap, ...)
    geometry: dict | None = None  # the faulty piece (an overhang, overlap or gap) as GeoJSON in CGCS2000 lon/lat
    wkt: str | None = None  # the same piece as WKT (CGCS2000)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class CheckedFeature:
    number: int
    values: dict  # canonical field name -> value
    geometry: shapely.Geometry | None  # 2D, valid, in the file's coordinates
    raw: Feature


def resolve_columns(schema: Schema, columns: list[str],
                    mapping: dict[str, str]) -> tuple[dict[str, str], list[Problem]]:
    """Which source column feeds each schema field: `--map` first, then the field name and its aliases
    (case-insensitive). Returns the mapping and the problems of the whole file (`unknown_field`,
    `unknown_column`, `required`)."""
    errors: list[Problem] = []
    by_lower = {c.lower(): c for c in columns}
    resolved: dict[str, str] = {}
    known = {f.name for f in schema.fields}
    for target, source in mapping.items():
        if target not in known:
            errors.append(Problem(None, _("{field} in --map is not a field of {target} (the fields: {fields}).").format(
                field=target, target=schema.label, fields=", ".join(sorted(known))), code="unknown_field"))
        elif source.lower() not in by_lower:
            errors.append(Problem(None, _("--map {field}={column}: the file has no column {column}.").format(
                field=target, column=source), code="unknown_column"))
        else:
            resolved[target] = by_lower[source.lower()]
    for f in schema.fields:
        if f.name in resolved:
            continue
        column = next((by_lower[n.lower()] for n in f.names() if n.lower() in by_lower), None)
        if column is not None:
            resolved[f.name] = column
        elif f.required:
            errors.append(Problem(None, _("The required field {field} is missing (name its column with --map "
                                          "{field}=COLUMN; the file's columns: {columns}).").format(
                field=f.name, columns=", ".join(columns)), code="required"))
    return resolved, errors


def _blank(raw) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _coerce(f: Field, raw) -> tuple[object, str | None]:
    if _blank(raw):
        if f.required:
            return None, _("The required field {field} is empty.").format(field=f.name)
        return f.default, None
    if f.type is int:
        try:
            number = float(raw)
        except (TypeError, ValueError):
            return None, _("{field} must be an integer, not {value}.").format(field=f.name, value=repr(raw))
        if number != int(number) or number < 0:
            return None, _("{field} must be a non-negative integer, not {value}.").format(field=f.name, value=repr(raw))
        return int(number), None
    value = str(int(raw) if isinstance(raw, float) and raw == int(raw) else raw).strip()
    if f.choices:
        words = dict(f.choices) | {v: v for _, v in f.choices}
        if value not in words:
            allowed = "、".join(dict.fromkeys([*dict(f.choices), *words.values()]))
            return None, _("The value {value} of {field} is not one of {allowed}.").format(
                value=repr(value), field=f.name, allowed=allowed)
        value = words[value]
    return value, None


def check_feature(feature: Feature, schema: Schema, columns: dict[str, str], fix: bool,
                  repairs: list[Problem]) -> tuple[CheckedFeature | None, list[Problem]]:
    """Check one feature. With `fix`, 3D/M coordinates are dropped and invalid polygons repaired with
    make_valid; each repair is appended to `repairs`."""
    problems: list[Problem] = []
    attrs = feature.attributes

    def problem(message: str, location=None, code: str = "invalid_geometry") -> None:
        problems.append(Problem(feature.number, message, attrs, location, code))

    values = {}
    for f in schema.fields:
        raw = attrs.get(columns[f.name]) if f.name in columns else None
        value, error = _coerce(f, raw)
        if error:
            problem(error, code="required" if value is None and f.required and _blank(raw) else "invalid_value")
        values[f.name] = value
    geometry = _check_geometry(feature, schema, fix, problem, repairs)
    if problems:
        return None, problems
    return CheckedFeature(feature.number, values, geometry, feature), []


def _check_geometry(feature: Feature, schema: Schema, fix: bool, problem, repairs: list[Problem]):
    geom = feature.geometry
    if feature.error:
        problem(feature.error, code=feature.error_code or "unreadable_geometry")
        return None
    if schema.geometry is GeometryKind.NONE:
        return None
    if geom is None:
        problem(_("The geometry is empty or missing."), code="geometry_missing")
        return None
    if geom.geom_type not in ACCEPTED_TYPES[schema.geometry]:
        wanted = "、".join(sorted(ACCEPTED_TYPES[schema.geometry]))
        problem(_("The geometry is a {type}; {target} need {wanted}.").format(
            type=geom.geom_type, target=schema.label, wanted=wanted), _anchor(geom), code="wrong_geometry_type")
        return None
    if shapely.has_z(geom) or shapely.has_m(geom):
        if not fix:
            problem(_("The geometry has Z/M coordinates: --fix drops them."), _anchor(geom), code="z_or_m")
            return None
        geom = shapely.force_2d(geom)
        repairs.append(Problem(feature.number, _("Dropped the Z/M coordinates."), feature.attributes,
                               code="dropped_z_or_m"))
    if not geom.is_valid:
        reason = shapely.is_valid_reason(geom)
        location = _reason_location(reason) or _anchor(geom)
        if not fix:
            problem(_("Invalid geometry: {reason} (--fix repairs it).").format(reason=reason), location)
            return None
        repaired = _polygonal(shapely.make_valid(geom)) if geom.geom_type in POLYGONAL else shapely.make_valid(geom)
        if repaired is None or repaired.is_empty:
            problem(_("Invalid geometry that cannot be repaired: {reason}").format(reason=reason), location,
                    code="unrepairable_geometry")
            return None
        repairs.append(Problem(
            feature.number,
            _("Repaired an invalid geometry ({reason}) with make_valid: area {before} → {after} (in the file's "
              "units).").format(reason=reason, before=f"{geom.area:.6g}", after=f"{repaired.area:.6g}"),
            feature.attributes, location, code="repaired_geometry",
        ))
        geom = repaired
    return geom


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry | None:
    """The polygonal part of make_valid's output (it may add lines or points along collapsed parts)."""
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in POLYGONAL]
    if not parts:
        return None
    return shapely.union_all(parts) if len(parts) > 1 else parts[0]


def _reason_location(reason: str) -> tuple[float, float] | None:
    match = REASON_LOCATION.search(reason)
    return (float(match.group(1)), float(match.group(2))) if match else None


def _anchor(geom: shapely.Geometry) -> tuple[float, float]:
    x, y = shapely.get_coordinates(geom)[0][:2]
    return float(x), float(y)
