#!/usr/bin/env bash
# Command 2: the same set-up as scripts/demo.sh (minus serving), the front end's lint, unit tests and bundle check,
# then the whole test suite with pytest.
# Extra arguments go to pytest. The database is stopped at the end if this run started it.
set -euo pipefail
# A cluster this run starts (and stops again) holds only test data: it may run without fsync. A running one is kept.
export GEOGRID_PG_FAST=1
. "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
trap stop_local_cluster EXIT
geogrid_setup chromium fonts-noto-cjk gettext  # gettext: tests/test_messages.py checks the catalog

log "linting the Python (ruff, pyproject.toml)"
.venv/bin/ruff check --quiet .
install_frontend_tools
log "checking the front end: eslint, vitest, the committed bundles"
npm run -s lint
npm test -s
npm run -s check

log "loading the demo town"
GEOGRID_DB_ROLE=owner .venv/bin/python manage.py load_demo
log "running the test suite"
# --create-db: a fresh test database every run, so a previous run's leftovers can never matter.
.venv/bin/pytest --create-db "$@"
