#!/usr/bin/env bash
# Refresh the vendored front-end libraries in maps/static/maps/vendor/ from maps/package-lock.json.
# The vendored files are committed: set-up and deployment (intranet, no internet) never need npm.
# Run this only to upgrade a library: edit maps/package.json, `npm install` in maps/, then this script.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MAPS="$ROOT/maps"
VENDOR="$MAPS/static/maps/vendor"

(cd "$MAPS" && npm ci --no-audit --no-fund --loglevel=error)

dist="$MAPS/node_modules/leaflet/dist"
dest="$VENDOR/leaflet"
rm -rf "$dest"
mkdir -p "$dest/images"
# leaflet.js ends with a sourceMappingURL: ship the map too, or the production static storage refuses it.
cp "$dist/leaflet.js" "$dist/leaflet.js.map" "$dist/leaflet.css" "$dest/"
cp "$dist"/images/*.png "$dest/images/"
cp "$MAPS/node_modules/leaflet/LICENSE" "$dest/LICENSE"

version="$(node -p "require('$MAPS/node_modules/leaflet/package.json').version")"
echo "leaflet $version" > "$dest/VERSION"
echo "vendored leaflet $version into ${dest#"$ROOT/"}"
