#!/usr/bin/env bash
# Refresh the vendored front-end libraries in maps/static/maps/vendor/ from package-lock.json.
# The vendored files are committed: set-up and deployment (intranet, no internet) never need npm.
# Run this only to upgrade a library: edit package.json, `npm install`, then this script (and npm run build:
# the page bundles of scripts/frontend.mjs hold @mapbox/vector-tile and pbf).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENDOR="$ROOT/maps/static/maps/vendor"
MODULES="$ROOT/node_modules"

(cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)

dist="$MODULES/leaflet/dist"
dest="$VENDOR/leaflet"
rm -rf "$dest"
mkdir -p "$dest/images"
# leaflet.js ends with a sourceMappingURL: ship the map too, or the production static storage refuses it.
cp "$dist/leaflet.js" "$dist/leaflet.js.map" "$dist/leaflet.css" "$dest/"
cp "$dist"/images/*.png "$dest/images/"
cp "$MODULES/leaflet/LICENSE" "$dest/LICENSE"

version="$(node -p "require('$MODULES/leaflet/package.json').version")"
echo "leaflet $version" > "$dest/VERSION"
echo "vendored leaflet $version into ${dest#"$ROOT/"}"

# Vector-tile decoding (@mapbox/vector-tile and pbf, ES modules) is bundled into the page scripts by
# scripts/frontend.mjs; their licences are kept here beside the other vendored libraries'.
dest="$VENDOR/vector-tile"
rm -rf "$dest"
mkdir -p "$dest"
version_of() { node -p "require('$MODULES/$1/package.json').version"; }
for package in @mapbox/vector-tile @mapbox/point-geometry pbf; do
  license="$(ls "$MODULES/$package"/LICENSE* | head -1)"
  { echo "== $package $(version_of "$package") =="; cat "$license"; echo; } >> "$dest/LICENSE"
done
echo "@mapbox/vector-tile $(version_of @mapbox/vector-tile), @mapbox/point-geometry $(version_of @mapbox/point-geometry), pbf $(version_of pbf); bundled with esbuild $(version_of esbuild)" > "$dest/VERSION"
echo "vendored $(cat "$dest/VERSION") into ${dest#"$ROOT/"}"

# Leaflet-Geoman (free, MIT) for the grid editor (geogrid/adjustments/static/adjustments/editor.js): drawing with snapping to the
# grids, buildings and roads on the map. Its dist bundle is self-contained (turf and lodash inside); the CSS
# inlines its icons. The minified script ends with a sourceMappingURL, so its map ships too.
dist="$MODULES/@geoman-io/leaflet-geoman-free/dist"
dest="$VENDOR/geoman"
rm -rf "$dest"
mkdir -p "$dest"
cp "$dist/leaflet-geoman.min.js" "$dist/leaflet-geoman.min.js.map" "$dist/leaflet-geoman.css" \
   "$dist/leaflet-geoman.css.map" "$dest/"
cp "$MODULES/@geoman-io/leaflet-geoman-free/LICENSE" "$dest/LICENSE"
# The bundle carries its dependencies (turf, lodash, polyclip-ts...) without their notices: add their licences.
bundled="$(cd "$ROOT" && node -e '
  const lock = require("./package-lock.json").packages, seen = new Set();
  const walk = (name) => Object.keys((lock["node_modules/" + name] || {}).dependencies || {})
    .forEach((d) => { if (!seen.has(d)) { seen.add(d); walk(d); } });
  walk("@geoman-io/leaflet-geoman-free");
  console.log([...seen].sort().join("\n"));')"
for package in $bundled; do
  license="$(ls "$MODULES/$package"/LICEN[CS]E* 2>/dev/null | head -1 || true)"
  [ -n "$license" ] || continue
  { echo; echo "== $package (bundled in leaflet-geoman.min.js) =="; cat "$license"; } >> "$dest/LICENSE"
done
version="$(node -p "require('$MODULES/@geoman-io/leaflet-geoman-free/package.json').version")"
echo "@geoman-io/leaflet-geoman-free $version" > "$dest/VERSION"
echo "vendored @geoman-io/leaflet-geoman-free $version into ${dest#"$ROOT/"}"

# Chart.js for the 考核统计 dashboard (geogrid/scores/static/scores/dashboard.js): its UMD build sets window.Chart and
# carries @kurkle/color inside, so that licence ships too. The minified file ends with a sourceMappingURL.
dist="$MODULES/chart.js/dist"
dest="$VENDOR/chart.js"
rm -rf "$dest"
mkdir -p "$dest"
cp "$dist/chart.umd.min.js" "$dist/chart.umd.min.js.map" "$dest/"
{ cat "$MODULES/chart.js/LICENSE.md"; echo; echo "== @kurkle/color $(version_of @kurkle/color) (bundled in chart.umd.min.js) =="
  cat "$MODULES/@kurkle/color/LICENSE.md"; } > "$dest/LICENSE"
echo "chart.js $(version_of chart.js)" > "$dest/VERSION"
echo "vendored $(cat "$dest/VERSION") into ${dest#"$ROOT/"}"

# Leaflet.markercluster for the dashboard's map of open and overdue tickets (clusters of nearby markers).
dist="$MODULES/leaflet.markercluster/dist"
dest="$VENDOR/markercluster"
rm -rf "$dest"
mkdir -p "$dest"
cp "$dist/leaflet.markercluster.js" "$dist/leaflet.markercluster.js.map" "$dist/MarkerCluster.css" \
   "$dist/MarkerCluster.Default.css" "$dest/"
cp "$MODULES/leaflet.markercluster/MIT-LICENCE.txt" "$dest/LICENSE"
chmod 644 "$dest"/*  # npm ships them executable
echo "leaflet.markercluster $(version_of leaflet.markercluster)" > "$dest/VERSION"
echo "vendored $(cat "$dest/VERSION") into ${dest#"$ROOT/"}"
