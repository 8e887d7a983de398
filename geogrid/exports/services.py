"""Exporting layers: GeoJSON, GeoPackage, zipped Shapefile (UTF-8 with .cpg), KML, and the XLSX ledger (台账).

Columns carry the import schemas' canonical names (a shapefile's short names where DBF needs them), so a file
exported here imports back unchanged. Coordinates are written in the CRS the user picks, GCJ-02 and BD-09
included for Amap/Baidu-based apps; every file says its CRS (geogrid.exports.markers), the shifted systems,
which have no EPSG code, in a GeoGrid marker the importer reads.
"""
import shutil
import tempfile
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from django.contrib.auth.models import AnonymousUser, User
from django.utils.translation import gettext as _
from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.styles import Font
from pyogrio.raw import write

from geogrid.accounts.selectors import area_code_prefix, area_of, can_see_personal_data, departments_visible_to
from geogrid.areas.models import Area
from geogrid.core.crs import Crs, from_storage
from geogrid.core.masking import mask_phone
from geogrid.core.xlsx import save_workbook
from geogrid.departments.models import BusinessGrid
from geogrid.exports.markers import layer_metadata, mark_file
from geogrid.exports.models import ExportRecord
from geogrid.grids.models import Grid
from geogrid.imports.schemas import SHAPEFILE_NAMES
from geogrid.staff.models import StaffMember
from geogrid.stations.models import ServiceStation

FORMATS = {  # format: (GDAL driver, file suffix, MIME type)
    "geojson": ("GeoJSON", ".geojson", "application/geo+json"),
    "gpkg": ("GPKG", ".gpkg", "application/geopackage+sqlite3"),
    "shp": ("ESRI Shapefile", ".zip", "application/zip"),
    "kml": ("KML", ".kml", "application/vnd.google-earth.kml+xml"),
    "xlsx": (None, ".xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
EXTRA_COLUMNS = {"grids": ["building_count", "household_count", "resident_household_count", "population"]}


class ExportError(ValueError):
    """The export cannot be made as asked: a stable `code` and the message (gettext, Chinese by default)."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.code = code


@dataclass
class ExportFile:
    path: Path
    filename: str
    content_type: str
    count: int

    def open_and_forget(self):
        """The file opened for reading, its temporary folder already removed (Linux keeps the open file)."""
        handle = open(self.path, "rb")
        shutil.rmtree(self.path.parent, ignore_errors=True)
        return handle


def _rows(target: str, area_code: str | None, department_code: str | None) -> tuple[QuerySet, Callable]:
    """The current rows of a target inside an area, and how to read each schema field from a row."""
    if target == "grids":
        rows = Grid.objects.current().select_related("parent", "community").order_by("level", "code")
        rows = rows.in_area(area_code) if area_code else rows
        return rows, lambda g: {"code": g.code, "name": g.name, "level": g.level,
                                "parent_code": g.parent.code if g.parent else None,
                                "community_code": g.community.code, "kind": g.kind,
                                "exclusive_type": g.exclusive_type, "setting": g.setting,
                                **{c: getattr(g, c) for c in EXTRA_COLUMNS["grids"]}}
    if target == "areas":
        rows = Area.objects.select_related("parent").order_by("code")
        rows = rows.filter(code__startswith=Area.code_prefix(area_code)) if area_code else rows
        return rows, lambda a: {"code": a.code, "name": a.name, "kind": a.kind,
                                "parent_code": a.parent.code if a.parent else None}
    if target == "business_grids":
        rows = BusinessGrid.objects.current().select_related("department").order_by("department__code", "code")
        rows = rows.filter(department__code=department_code) if department_code else rows
        return rows, lambda b: {"code": b.code, "name": b.name, "department_code": b.department.code}
    if target == "stations":
        rows = ServiceStation.objects.select_related("community").order_by("name")
        rows = rows.filter(community__code__startswith=Area.code_prefix(area_code)) if area_code else rows
        return rows, lambda s: {"name": s.name, "kind": s.kind, "address": s.address,
                                "opening_hours": s.opening_hours}
    raise ExportError(_("Cannot export {target}; the targets: grids, areas, business_grids, stations.").format(
        target=target), code="unknown_target")


def _geometry_of(row) -> shapely.Geometry:
    geom = getattr(row, "geom", None) or getattr(row, "point")
    return shapely.from_wkb(bytes(geom.wkb))


def export_layer(target: str, fmt: str, crs: Crs, *, area_code: str | None = None,
                 department_code: str | None = None, user: User | AnonymousUser | None = None) -> ExportFile:
    """Write the target's current rows (inside `area_code`) to a temporary file in `fmt` and `crs`."""
    if fmt not in FORMATS:
        raise ExportError(_("Unsupported format {format}; the formats: {formats}.").format(
            format=fmt, formats=", ".join(FORMATS)), code="unknown_format")
    driver, suffix, content_type = FORMATS[fmt]
    if fmt == "xlsx":
        if target != "grids":
            raise ExportError(_("The XLSX ledger is for grids only."), code="ledger_grids_only")
        return _grid_ledger(area_code, user)
    rows, read = _rows(target, area_code, department_code)
    rows = list(rows)
    if not rows:
        raise ExportError(_("There is nothing to export in the area chosen."), code="nothing_to_export")
    records = [read(r) for r in rows]
    geoms = np.array([_geometry_of(r) for r in rows], dtype=object)
    geoms = shapely.transform(geoms, lambda xy: np.column_stack(from_storage(xy[:, 0], xy[:, 1], crs)))
    names = list(records[0])
    short = SHAPEFILE_NAMES if driver == "ESRI Shapefile" else {}
    columns = [np.array([rec[n] if rec[n] is not None else "" for rec in records],
                        dtype=np.int64 if all(isinstance(rec[n], int) for rec in records) else object) for n in names]
    folder = Path(tempfile.mkdtemp(prefix="geogrid-export-"))
    stem = f"{target}_{crs.name.replace(':', '')}"
    out = folder / f"{stem}{'.shp' if fmt == 'shp' else suffix}"
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "'crs' was not provided")  # GCJ-02/BD-09 have no CRS to write
        write(str(out), shapely.to_wkb(geoms), columns, [short.get(n, n) for n in names],
              geometry_type=_geometry_type(geoms), crs=f"EPSG:{crs.epsg}" if crs.epsg else None, driver=driver,
              encoding="UTF-8" if fmt == "shp" else None,
              layer_metadata=layer_metadata(crs) if fmt == "gpkg" else None)
    mark_file(out, fmt, crs)
    if fmt == "shp":
        out = _zip_shapefile(folder, stem)
    return ExportFile(out, out.name, content_type, len(rows))


def _geometry_type(geoms: np.ndarray) -> str:
    kinds = {g.geom_type for g in geoms}
    if kinds <= {"Polygon", "MultiPolygon"}:
        return "MultiPolygon"
    return kinds.pop() if len(kinds) == 1 else "Unknown"


def _zip_shapefile(folder: Path, stem: str) -> Path:
    archive = folder / f"{stem}.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for part in sorted(folder.glob(f"{stem}.*")):
            if part != archive:
                zf.write(part, part.name)
    return archive


LEDGER_HEADER = ["网格编码", "网格名称", "层级", "类型", "所属社区/村", "上级网格", "网格长", "网格员", "联系电话",
                 "楼栋数", "规划户数", "常住户数", "人口数"]


def _grid_ledger(area_code: str | None, user: User | AnonymousUser | None) -> ExportFile:
    """网格台账: one row a grid with its staff and counts; phones masked outside the user's scope."""
    grids = Grid.objects.current().select_related("community", "parent").prefetch_related("staff").order_by("code")
    grids = list(grids.in_area(area_code) if area_code else grids)
    if not grids:
        raise ExportError(_("There are no grids in the area chosen."), code="nothing_to_export")
    book = Workbook()
    sheet = book.active
    sheet.title = "网格台账"
    sheet.append(LEDGER_HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for g in grids:
        visible = user is not None and can_see_personal_data(user, g.community.code)
        staff = sorted(g.staff.all(), key=lambda m: StaffMember.ROLE_ORDER.index(m.role))
        leaders = [m for m in staff if m.role == StaffMember.Role.LEADER]
        workers = [m for m in staff if m.role in (StaffMember.Role.FULL_TIME, StaffMember.Role.PART_TIME)]
        phones = [m.phone if visible else mask_phone(m.phone) for m in leaders + workers if m.phone]
        sheet.append([g.code, g.name, g.get_level_display(), g.get_kind_display(), g.community.name,
                      g.parent.code if g.parent else "", "、".join(m.name for m in leaders),
                      "、".join(m.name for m in workers), "、".join(phones), g.building_count, g.household_count,
                      g.resident_household_count, g.population])
    for column, width in zip("ABCDEFGHIJKLM", (18, 22, 10, 10, 14, 18, 10, 24, 40, 8, 10, 10, 10)):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    path = Path(tempfile.mkdtemp(prefix="geogrid-export-")) / "网格台账.xlsx"
    save_workbook(book, path)
    return ExportFile(path, path.name, FORMATS["xlsx"][2], len(grids))


def export_for_user(user: User, target: str, fmt: str, crs: Crs, *, area_code: str | None = None,
                    department_code: str | None = None) -> ExportFile:
    """`export_layer` kept inside the user's scope, and logged.

    No area given means the user's own area (everything for superusers); an area outside the scope is
    refused. Business grids: only departments in `departments_visible_to(user)`.
    """
    prefix = area_code_prefix(user)
    if prefix is None:
        raise ExportError(_("Your account has no area: it cannot export."), code="no_scope")
    if area_code is None and prefix:
        area_code = area_of(user).code
    if area_code and not Area.code_prefix(area_code).startswith(prefix):
        raise ExportError(_("The area {code} is outside your area.").format(code=area_code), code="outside_scope")
    if target == "business_grids":
        allowed = departments_visible_to(user)
        if department_code is None and allowed.count() == 1:
            department_code = allowed.get().code
        if prefix and not allowed.filter(code=department_code).exists():
            raise ExportError(_("Only the business grids of your own department or of one you serve can be exported."),
                              code="department_not_visible")
    exported = export_layer(target, fmt, crs, area_code=area_code, department_code=department_code, user=user)
    ExportRecord.objects.create(user=user, target=target, format=fmt, crs=crs.name, area_code=area_code or "",
                                department_code=department_code or "", count=exported.count)
    return exported

