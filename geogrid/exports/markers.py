"""Which CRS an exported file is in, written where a reader finds it, so a GCJ-02 file never reads back as WGS84.

- EPSG systems: the format's own place (GeoJSON's top-level `crs` member with an OGC URN, the GeoPackage SRS,
  the shapefile's .prj), written by GDAL.
- GCJ-02 and BD-09, which no EPSG code describes: a GeoGrid name, `urn:geogrid:crs:gcj02` / `...:bd09`, in
  GeoJSON's `crs` member, in the GeoPackage layer metadata (`GEOGRID_CRS`), in a `<stem>.geogrid-crs` file
  beside a shapefile (inside its zip) and in a comment at the top of a KML file.
The importer (geogrid.imports.readers) reads these markers: a marked file is read in its CRS, and a CRS asked
for that contradicts the marker is refused (`crs_mismatch`).
"""
import json
import re
import zipfile
from pathlib import Path

from geogrid.core.crs import Crs

URN_PREFIX = "urn:geogrid:crs:"
METADATA_KEY = "GEOGRID_CRS"
SIDECAR_SUFFIX = ".geogrid-crs"
HEAD_BYTES = 65536  # the markers sit at the top of a text file
MARKER = re.compile(r"urn:geogrid:crs:([a-z0-9]+)")
GEOJSON_CRS_MEMBER = re.compile(rb'^\s*\{[^\[]*?"crs"\s*:\s*\{[^}]*"name"\s*:\s*"([^"]+)"', re.S)  # top level, before any array
SPEC_CRS = ("urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:OGC::CRS84")


def urn(crs: Crs) -> str:
    return f"urn:ogc:def:crs:EPSG::{crs.epsg}" if crs.epsg else f"{URN_PREFIX}{crs.name}"


def layer_metadata(crs: Crs) -> dict[str, str] | None:
    """The GeoPackage layer metadata naming a shifted CRS (GDAL writes the SRS of an EPSG one)."""
    return None if crs.epsg else {METADATA_KEY: crs.name}


def mark_file(path: Path, fmt: str, crs: Crs) -> None:
    """After GDAL wrote `path`: the marker of a shifted CRS (GeoJSON, KML, shapefile sidecar)."""
    if crs.epsg:
        return
    if fmt == "geojson":
        data = json.loads(path.read_text(encoding="utf-8"))
        marked = {"type": data.pop("type"), "crs": {"type": "name", "properties": {"name": urn(crs)}}, **data}
        path.write_text(json.dumps(marked, ensure_ascii=False), encoding="utf-8")
    elif fmt == "kml":
        text = path.read_text(encoding="utf-8")
        head, sep, rest = text.partition("?>")
        path.write_text(f"{head}{sep}\n<!-- GeoGrid CRS: {urn(crs)} -->{rest}" if sep else
                        f"<!-- GeoGrid CRS: {urn(crs)} -->\n{text}", encoding="utf-8")
    elif fmt == "shp":
        path.with_suffix(SIDECAR_SUFFIX).write_text(urn(crs) + "\n", encoding="utf-8")


def read_marker(path: Path, fmt: str, info: dict) -> str | None:
    """The shifted CRS a file's GeoGrid marker names ("gcj02", "bd09"), or None."""
    found = None
    if fmt in ("GeoJSON", "KML"):
        with open(path, "rb") as handle:
            match = MARKER.search(handle.read(HEAD_BYTES).decode("utf-8", "replace"))
        found = match and match[1]
    elif fmt == "GeoPackage":
        found = (info.get("layer_metadata") or {}).get(METADATA_KEY)
    elif path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as archive:
            sidecar = next((n for n in archive.namelist() if n.lower().endswith(SIDECAR_SUFFIX)), None)
            if sidecar is not None:
                match = MARKER.search(archive.read(sidecar)[:HEAD_BYTES].decode("utf-8", "replace"))
                found = match and match[1]
    return found or None


def declares_crs_member(path: Path) -> bool:
    """Whether a GeoJSON file names a CRS other than the specification's CRS84 in a top-level `crs` member
    (then its CRS is the file's, and a contradicting one asked for is refused)."""
    with open(path, "rb") as handle:
        match = GEOJSON_CRS_MEMBER.match(handle.read(HEAD_BYTES))
    return match is not None and match[1].decode() not in SPEC_CRS
