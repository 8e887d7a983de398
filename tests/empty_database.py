"""A freshly migrated test database without the demo town, for tests that must see what migrations alone
give a street (README "Onboarding a street (without the demo)"): `tests/test_onboarding.py`.

Two databases beside the session's test database `<test>` (which holds the demo town):

- `<test>_migrated`, the template: the test database as migrations left it, before `load_demo`. Nothing ever
  connects to it but to read its migration list. When pytest-django created `<test>` in this session, the
  template is cloned from it before the demo loads (a quarter of a second); with `--reuse-db` the template
  from an earlier run is kept while its applied migrations equal `<test>`'s, and otherwise it is rebuilt the
  way Django builds a test database (create, migrate, createcachetable: half a minute, once).
- `<test>_empty`, the database the tests run in: dropped and cloned from the template every time a module
  asks for it (so nothing a previous run left there matters) and dropped afterwards.

Everything goes through Django's connection settings (the owner role of `DATABASE_OWNER_URL`, or
`DATABASE_URL`, or the local cluster), so it works against any PostGIS where the owner may create databases,
which the test suite needs anyway.
"""
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection

TEMPLATE_SUFFIX, EMPTY_SUFFIX = "_migrated", "_empty"


def database_exists(name: str) -> bool:
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None


def _drop(cursor, name: str) -> None:
    force = " WITH (FORCE)" if connection.pg_version >= 130000 else ""
    cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)}{force}")


def _clone(source: str, target: str) -> None:
    """`target` as a copy of `source` (which must have no open connection: ours is closed first)."""
    connection.close()
    quote = connection.ops.quote_name
    with connection._nodb_cursor() as cursor:
        _drop(cursor, target)
        cursor.execute(f"CREATE DATABASE {quote(target)} TEMPLATE {quote(source)}")


def _migrations(name: str) -> set[tuple[str, str]] | None:
    """The migrations applied in database `name` (None when it has no migration table)."""
    other = connection.copy()
    other.settings_dict["NAME"] = name
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT to_regclass('django_migrations') IS NOT NULL")
            if not cursor.fetchone()[0]:
                return None
            cursor.execute("SELECT app, name FROM django_migrations")
            return set(cursor.fetchall())
    finally:
        other.close()


def keep_template(test_database: str) -> None:
    """Called once the test database is migrated and before the demo loads, when pytest-django created it in
    this session: it is exactly what migrations give, so it becomes the template."""
    _clone(test_database, test_database + TEMPLATE_SUFFIX)


def ensure_template(test_database: str) -> str:
    """The template's name, rebuilt when it is missing or was migrated differently from the test database."""
    template = test_database + TEMPLATE_SUFFIX
    if database_exists(template) and _migrations(template) == _migrations(test_database):
        return template
    _build(template)
    return template


def _build(template: str) -> None:
    """A new database migrated as Django migrates a test database (the test settings name it for the time)."""
    test_settings = connection.settings_dict["TEST"]
    name, test_name = connection.settings_dict["NAME"], test_settings["NAME"]
    test_settings["NAME"] = template
    try:
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False, keepdb=False)
    finally:
        connection.close()
        test_settings["NAME"] = test_name
        _point_at(name)


def _point_at(name: str) -> None:
    connection.close()
    settings.DATABASES["default"]["NAME"] = name
    connection.settings_dict["NAME"] = name
    ContentType.objects.clear_cache()  # the same ids in both databases, but never trust a cache across them


@contextmanager
def empty_database() -> Iterator[str]:
    """Point Django's connection at a new `<test>_empty` for the duration; the session's test database (and
    its demo town) afterwards, as before. Yields the empty database's name."""
    test_database = connection.settings_dict["NAME"]
    template = ensure_template(test_database)
    empty = test_database + EMPTY_SUFFIX
    _clone(template, empty)
    _point_at(empty)
    try:
        yield empty
    finally:
        _point_at(test_database)
        with connection._nodb_cursor() as cursor:
            _drop(cursor, empty)

