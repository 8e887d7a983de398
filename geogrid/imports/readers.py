"""Reading source files into plain features: GDAL (through pyogrio) for vector formats, openpyxl for Excel,
the standard csv module for CSV. Nothing here parses a spatial format by hand.

A feature keeps its 1-based number in the file, so every message can say "feature 17".
"""
import csv
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyogrio
import shapely
from openpyxl import load_workbook
from pyogrio.errors import DataSourceError, DataLayerError
from pyogrio.raw import open_arrow
from pyogrio.raw import read as ogr_read
from django.utils.translation import gettext as _

from geogrid.exports.markers import declares_crs_member, read_marker

BATCH_SIZE = 5000
BATCH_BYTES = 16 * 1024 * 1024  # of source file per batch: bounds memory for files of large features

LON_COLUMNS = ("lon", "lng", "longitude", "x", "经度")
LAT_COLUMNS = ("lat", "latitude", "y", "纬度")
WKT_COLUMNS = ("wkt", "geometry", "geom", "几何")

VECTOR_SUFFIXES = {".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GeoPackage", ".kml": "KML",
                   ".kmz": "KML", ".shp": "Shapefile", ".zip": "Shapefile"}
TABLE_SUFFIXES = {".csv": "CSV", ".xlsx": "XLSX"}
# Formats whose specification fixes the CRS to WGS84 when the file says nothing; a user may override it
# (a GeoJSON drawn on an Amap web map is really GCJ-02).
SPEC_WGS84_FORMATS = {"GeoJSON", "KML"}


# Archives (a zipped shapefile, KMZ, XLSX) are checked from their directory before anything is inflated: the
# members a format reads may total ARCHIVE_MAX_BYTES uncompressed, and above ARCHIVE_RATIO_FLOOR bytes may
# inflate at most ARCHIVE_MAX_RATIO times their compressed size (real surveys: under 20; zeros: 1000).
ARCHIVE_MAX_BYTES = 2 * 1024 ** 3
ARCHIVE_MAX_RATIO = 100
ARCHIVE_RATIO_FLOOR = 32 * 1024 ** 2
SHAPEFILE_MEMBERS = (".shp", ".shx", ".dbf", ".prj", ".cpg")  # what GDAL reads of a zipped shapefile


class ReadError(Exception):
    """The file as a whole cannot be read: a stable `code` and the message (gettext, Chinese by default)."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.code = code


@dataclass
class Feature:
    number: int  # 1-based position in the file
    attributes: dict
    geometry: shapely.Geometry | None  # in the file's coordinates
    error: str | None = None  # a row whose geometry could not even be read
    error_code: str | None = None  # that error's stable code


@dataclass
class SourceFile:
    """What the file says about itself before its features are read."""

    path: Path
    format: str
    layer: str | None
    crs: str | None  # as the file declares it, e.g. "EPSG:4545"; None when it declares none
    crs_from_spec: bool  # True when the CRS is the format's fixed default, not written in the file
    encoding: str | None
    columns: list[str]
    count: int
    notes: list[str] = field(default_factory=list)
    _dataset: str = ""
    constants: dict[str, str] = field(default_factory=dict)  # values set at import for every feature (--set)

    def batches(self, size: int | None = None) -> Iterator[list[Feature]]:
        """Features in batches, read in one sequential pass, so a large file never sits in memory whole."""
        size = size or self.batch_size()
        if self.format in TABLE_SUFFIXES.values():
            yield from _table_batches(self, size)
            return
        number = 0
        with open_arrow(self._dataset, layer=self.layer, encoding=self.encoding, batch_size=size,
                        use_pyarrow=True) as (meta, reader):
            names = list(meta["fields"])
            geometry_column = meta["geometry_name"] or "wkb_geometry"
            for batch in reader:
                columns = [batch.column(name).to_pylist() for name in names]
                wkb = (batch.column(geometry_column).to_pylist() if geometry_column in batch.schema.names
                       else [None] * batch.num_rows)
                geometries = shapely.from_wkb(wkb)
                yield [
                    Feature(number + i + 1, {name: _plain(columns[j][i]) for j, name in enumerate(names)},
                            None if g is None or g.is_empty else g)
                    for i, g in enumerate(geometries)
                ]
                number += batch.num_rows

    def batch_size(self) -> int:
        """Features per batch: BATCH_SIZE, fewer when features are large, to keep a batch near BATCH_BYTES."""
        average = self.path.stat().st_size / max(self.count, 1)
        return int(max(100, min(BATCH_SIZE, BATCH_BYTES // max(average, 1))))


def _plain(value):
    """NaN (GDAL's null for some formats' numbers) as None."""
    return None if isinstance(value, float) and value != value else value


def open_source(path: Path, *, layer: str | None = None, encoding: str | None = None) -> SourceFile:
    """Open a file and read what it declares (format, layer, CRS, encoding, columns, feature count)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in TABLE_SUFFIXES:
        return _open_table(path, TABLE_SUFFIXES[suffix], encoding)
    if suffix not in VECTOR_SUFFIXES:
        known = ", ".join(sorted({*VECTOR_SUFFIXES, *TABLE_SUFFIXES}))
        raise ReadError(_("Unsupported file type {suffix}; supported: {known}.").format(
            suffix=suffix or _("(no extension)"), known=known), code="unsupported_format")
    fmt = VECTOR_SUFFIXES[suffix]
    dataset, notes = str(path), []
    if suffix == ".kmz":
        check_archive(path, lambda name: name.lower().endswith(".kml"))
    if suffix == ".zip":
        dataset, cpg = _shapefile_in_zip(path)
        if encoding is None and not cpg:
            encoding = _detect_dbf_encoding(dataset, layer)
            notes.append(_("The zip holds no .cpg file: the attribute encoding, detected from the contents, is "
                           "{encoding}.").format(encoding=encoding))
    try:
        layers = [name for name, _ in pyogrio.list_layers(dataset)]
        if layer is None and len(layers) > 1:
            raise ReadError(_("The file holds several layers; pick one with --layer: {layers}.").format(
                layers=", ".join(layers)), code="several_layers")
        if layer is not None and layer not in layers:
            raise ReadError(_("There is no layer named {layer}; the layers: {layers}.").format(
                layer=layer, layers=", ".join(layers)), code="unknown_layer")
        info = pyogrio.read_info(dataset, layer=layer, encoding=encoding)
    except (DataSourceError, DataLayerError) as error:
        raise ReadError(_("Cannot read the file {name}: {error}").format(name=path.name, error=error),
                        code="unreadable_file") from None
    crs = read_marker(path, fmt, info) or info["crs"]  # a GeoGrid export's GCJ-02/BD-09 marker first
    from_spec = fmt in SPEC_WGS84_FORMATS and crs == info["crs"] and not (fmt == "GeoJSON" and declares_crs_member(path))
    return SourceFile(path, fmt, layer or (layers[0] if layers else None), crs, from_spec, encoding or info["encoding"],
                      list(info["fields"]), int(info["features"]), notes, dataset)


def _shapefile_in_zip(path: Path) -> tuple[str, bool]:
    """The GDAL path of the one shapefile inside a zip, and whether it has a .cpg (encoding) file."""
    names = check_archive(path, lambda name: name.lower().endswith(SHAPEFILE_MEMBERS), verify=True)
    shps = [n for n in names if n.lower().endswith(".shp")]
    if len(shps) != 1:
        raise ReadError(_("The zip must hold exactly one .shp file; it holds {count}.").format(count=len(shps)),
                        code="shp_count")
    stem = shps[0][:-4].lower()
    for needed in (".shx", ".dbf"):
        if stem + needed not in {n.lower() for n in names}:
            raise ReadError(_("The zip lacks {name}.").format(name=Path(shps[0]).stem + needed),
                            code="shapefile_incomplete")
    return f"/vsizip/{path}/{shps[0]}", stem + ".cpg" in {n.lower() for n in names}


def check_archive(path: Path, wanted, *, verify: bool = False) -> list[str]:
    """The names in the zip at `path`, after checking it from its directory alone: no member name that climbs out
    (`../`, an absolute or drive path), and the members `wanted(name)` selects (the ones the format reads) within
    ARCHIVE_MAX_BYTES and ARCHIVE_MAX_RATIO. With `verify`, those members are then read once to check their CRC
    (inflating stops at each member's declared size, so the directory's figures bound the work)."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            for info in members:
                parts = info.filename.replace("\\", "/").split("/")
                if info.filename.startswith(("/", "\\")) or ".." in parts or ":" in parts[0]:
                    raise ReadError(_("The path {name} in the zip is unsafe (it holds .. or is absolute).").format(
                        name=info.filename), code="archive_unsafe_path")
            needed = [info for info in members if not info.is_dir() and wanted(info.filename)]
            size = sum(info.file_size for info in needed)
            packed = sum(info.compress_size for info in needed)
            if size > ARCHIVE_MAX_BYTES:
                raise ReadError(_("The zip inflates to {size} MB, above the limit of {limit} MB.").format(
                    size=size // 1024 ** 2, limit=ARCHIVE_MAX_BYTES // 1024 ** 2), code="archive_too_large")
            if size > ARCHIVE_RATIO_FLOOR and size > ARCHIVE_MAX_RATIO * max(packed, 1):
                raise ReadError(_("The zip's compression ratio is {ratio}, above the limit of {limit}: a zip bomb?"
                                  ).format(ratio=size // max(packed, 1), limit=ARCHIVE_MAX_RATIO), code="archive_ratio")
            if verify:
                for info in needed:
                    with archive.open(info) as member:
                        while member.read(1024 * 1024):
                            pass
    except zipfile.BadZipFile as error:
        damaged = str(error).removeprefix("Bad CRC-32 for file ").strip("'")
        raise ReadError(_("The zip {name} is damaged or truncated ({member}).").format(name=path.name, member=damaged),
                        code="archive_damaged") from None
    except (EOFError, OSError, zipfile.LargeZipFile, NotImplementedError):
        raise ReadError(_("The zip {name} is damaged or truncated.").format(name=path.name),
                        code="archive_damaged") from None
    return [info.filename for info in members]


def _detect_dbf_encoding(dataset: str, layer: str | None) -> str:
    """UTF-8 when every attribute decodes as UTF-8, else GBK (the usual encoding of Chinese surveys)."""
    try:
        ogr_read(dataset, layer=layer, encoding="UTF-8", read_geometry=False)
        return "UTF-8"
    except UnicodeDecodeError:
        return "GBK"


def _open_table(path: Path, fmt: str, encoding: str | None) -> SourceFile:
    header, count = [], 0
    for i, row in enumerate(_table_rows(path, fmt, encoding or "utf-8-sig")):
        if i == 0:
            header = [str(c).strip() if c is not None else "" for c in row]
        else:
            count += 1
    if not header:
        raise ReadError(_("{name} is an empty table.").format(name=path.name), code="empty_table")
    return SourceFile(path, fmt, None, None, False, encoding or "UTF-8", header, count)


def _table_rows(path: Path, fmt: str, encoding: str) -> Iterator[list]:
    try:
        if fmt == "XLSX":
            check_archive(path, lambda name: True)
            workbook = load_workbook(path, read_only=True, data_only=True)
            try:
                yield from (list(row) for row in workbook.worksheets[0].iter_rows(values_only=True))
            finally:
                workbook.close()
        else:
            with open(path, newline="", encoding=encoding) as handle:
                yield from csv.reader(handle)
    except (zipfile.BadZipFile, KeyError, OSError):
        raise ReadError(_("Cannot read the table {name}.").format(name=path.name), code="unreadable_table") from None
    except UnicodeDecodeError:
        raise ReadError(_("{name} is not in the {encoding} encoding: name its encoding with --encoding (such as gbk)."
                          ).format(name=path.name, encoding=encoding), code="wrong_encoding") from None


def _column(header: list[str], candidates: tuple[str, ...]) -> int | None:
    lowered = [h.lower() for h in header]
    return next((lowered.index(c) for c in candidates if c in lowered), None)


def _table_batches(source: SourceFile, size: int) -> Iterator[list[Feature]]:
    header = source.columns
    lon, lat, wkt = _column(header, LON_COLUMNS), _column(header, LAT_COLUMNS), _column(header, WKT_COLUMNS)
    geometry_columns = {i for i in (lon, lat, wkt) if i is not None}
    batch: list[Feature] = []
    rows = _table_rows(source.path, source.format, source.encoding or "utf-8-sig")
    next(rows)
    for number, row in enumerate(rows, start=1):
        attrs = {name: value for i, (name, value) in enumerate(zip(header, row)) if i not in geometry_columns}
        try:
            batch.append(Feature(number, attrs, _table_geometry(row, lon, lat, wkt, number)))
        except FeatureGeometryError as error:
            batch.append(Feature(number, attrs, None, str(error), error.code))
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


class FeatureGeometryError(ValueError):
    """A row's coordinates or WKT cannot be read: a stable `code` and the message."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.code = code


def _table_geometry(row: list, lon: int | None, lat: int | None, wkt: int | None, number: int):
    if wkt is not None and row[wkt] not in (None, ""):
        try:
            return shapely.from_wkt(str(row[wkt]))
        except shapely.errors.GEOSException:
            raise FeatureGeometryError(_("The WKT of row {number} cannot be read.").format(number=number),
                                       code="unreadable_wkt") from None
    if lon is not None and lat is not None and row[lon] not in (None, "") and row[lat] not in (None, ""):
        try:
            return shapely.Point(float(row[lon]), float(row[lat]))
        except (TypeError, ValueError):
            raise FeatureGeometryError(_("The longitude and latitude of row {number} are not numbers.").format(
                number=number), code="coordinates_not_numbers") from None
    return None
