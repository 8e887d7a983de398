// The front end's build: one bundle per page, from the ES modules in geogrid/<app>/frontend/ and maps/frontend/
// into that app's static/<app>/<page>.js, which the page's template loads. The bundles are committed like the
// vendored libraries, so neither the server nor an intranet install needs npm.
//   node scripts/frontend.mjs          build the bundles
//   node scripts/frontend.mjs --check  build them in memory and fail if a committed bundle differs (CI)
import { build } from "esbuild";
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

// [source module, bundle]: every page's one script (base.html loads page.js on every page).
const PAGES = [
  ["maps/frontend/page.js", "maps/static/maps/page.js"],
  ["maps/frontend/map.js", "maps/static/maps/map.js"],
  ...[
    ["adjustments", "adjustments"], ["adjustments", "editor"], ["alignment", "alignment"], ["circles", "circles"],
    ["coverage", "coverage"], ["events", "event"], ["events", "events"], ["events", "report"], ["events", "unplaced"],
    ["grids", "plan"], ["hotline", "hotline"], ["imports", "import"], ["scores", "dashboard"],
  ].map(([app, page]) => [`geogrid/${app}/frontend/${page}.js`, `geogrid/${app}/static/${app}/${page}.js`]),
];
const BANNER = "/* Built by scripts/frontend.mjs from the ES modules in the frontend/ folders: edit those, then npm run build. */";

async function bundle(source) {
  const result = await build({
    absWorkingDir: ROOT, entryPoints: [source], bundle: true, format: "iife", target: "es2020", write: false,
    charset: "utf8", legalComments: "eof", banner: { js: BANNER }, logLevel: "warning",
  });
  return result.outputFiles[0].text;
}

const check = process.argv.includes("--check");
const stale = [];
for (const [source, target] of PAGES) {
  const text = await bundle(source);
  const file = path.join(ROOT, target);
  if (!check) {
    writeFileSync(file, text);
    continue;
  }
  let committed = null;
  try {
    committed = readFileSync(file, "utf8");
  } catch {
    // missing: stale
  }
  if (committed !== text) stale.push(target);
}
if (stale.length) {
  console.error(`These bundles differ from their sources; run npm run build and commit them:\n  ${stale.join("\n  ")}`);
  process.exit(1);
}
console.log(check ? `${PAGES.length} bundles match their sources` : `built ${PAGES.length} bundles`);
