"""The database's hand-written functions come from geogrid/<app>/sql/<name>.v<N>.sql (geogrid/core/sqlfiles.py):
every file is loaded by a migration, the database runs the newest version of each, and the placeholders are
filled from Python's one source or refused."""
import re
from collections import defaultdict
from pathlib import Path

import pytest
from django.db import connection

from geogrid.core import refusals, sqlfiles, tolerances

FILE = re.compile(r"(?P<name>\w+)\.v(?P<version>\d+)\.sql")
FUNCTION = re.compile(r"CREATE OR REPLACE FUNCTION (\w+)\(.*?\$\$(.*?)\$\$;", re.DOTALL)
MIGRATIONS = sorted(sqlfiles.ROOT.glob("*/migrations/0*.py"))


def sql_files() -> list[Path]:
    return sorted(sqlfiles.ROOT.glob("*/sql/*.sql"))


def newest_versions() -> list[tuple[str, str]]:
    """(app, "<name>.v<N>") of the newest version of every file."""
    newest: dict[tuple[str, str], int] = defaultdict(int)
    for path in sql_files():
        match = FILE.fullmatch(path.name)
        assert match, f"{path}: not <name>.v<N>.sql"
        key = (path.parent.parent.name, match["name"])
        newest[key] = max(newest[key], int(match["version"]))
    return [(app, f"{name}.v{version}") for (app, name), version in sorted(newest.items())]


def test_there_are_files_and_each_is_loaded_by_a_migration_of_its_app():
    assert len(sql_files()) >= 9
    for path in sql_files():
        app, name = path.parent.parent.name, path.name.removesuffix(".sql")
        loading = [m for m in MIGRATIONS if m.parent.parent.name == app and f'"{name}"' in m.read_text()]
        assert loading, f"no migration of {app} loads {name}"


@pytest.mark.django_db
def test_the_database_runs_the_newest_version_of_every_function():
    with connection.cursor() as cursor:
        cursor.execute("SELECT proname, prosrc FROM pg_proc WHERE pronamespace = 'public'::regnamespace")
        installed = dict(cursor.fetchall())
    migrations = "".join(m.read_text() for m in MIGRATIONS)
    checked = 0
    for app, name in newest_versions():
        for function, body in FUNCTION.findall(sqlfiles.sql_file(app, name)):
            if function in installed:
                assert installed[function] == body, f"{function} is not {app}/sql/{name}.sql"
                checked += 1
            else:  # retired: a later migration drops it
                assert f"DROP FUNCTION IF EXISTS {function}(" in migrations, f"{function} is missing"
    assert checked >= 5  # sync_parts, check_containment, overhang, overhang_refused, containment_tolerance


def test_placeholders_are_filled_from_refusals_and_tolerances():
    text = sqlfiles.sql_file("grids", "check_containment.v3")
    assert "{{" not in text
    assert refusals.GRID_OUTSIDE_PARENT.raise_sql(errcode="check_violation", grid="NEW.code", parent="parent.code",
                                                  area_m2="round(overhang::numeric, 1)") in text
    tolerance = sqlfiles.sql_file("grids", "containment_tolerance.v1")
    assert f"::float, {tolerances.SLIVER_AREA_M2!r})" in tolerance
    assert f"::float, {tolerances.SLIVER_WIDTH_M!r})" in tolerance


@pytest.mark.parametrize("placeholder, kind, error", [
    ("{{ refuse no_such_rule\n grid => NEW.code }}", ValueError, "unknown placeholder"),
    ("{{ refuse grid_outside_parent\n grid => NEW.code }}", ValueError, "expressions for"),  # fields left out
    ("{{ refuse grid_parent_other_community\n grid NEW.code\n parent => parent.code }}", ValueError,
     "expected '<name> =>"),
    ("{{ constant geogrid.core.refusals.RULES }}", TypeError, "not a number or a string"),
    ("{{ SLIVER_AREA_M2 }}", ValueError, "unknown placeholder"),
])
def test_a_placeholder_the_loader_cannot_fill_fails_loudly(placeholder, kind, error):
    with pytest.raises(kind, match=re.escape(error)):
        sqlfiles.render(f"SELECT 1;\n{placeholder}\n", source="test.v1.sql")


def test_a_string_constant_becomes_a_quoted_literal():
    assert sqlfiles.render("{{ constant geogrid.core.refusals.__name__ }}", source="t") == "'geogrid.core.refusals'"
