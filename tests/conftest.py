"""Test set-up: a real PostGIS test database holding the demo town, loaded once per session.

Tests use the `db` fixture (each test in a transaction that is rolled back), never `transactional_db`:
a flush would wipe the demo town for the tests after it. Browser tests talk to a real server process
(`app_server`) that reads the same committed test database.
"""
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import translation

from tests.browsing import PASSWORD
from tests.empty_database import database_exists, keep_template
from tests.empty_database import empty_database as empty_database_for_module

ROOT = Path(__file__).resolve().parent.parent
# load_demo gives every demo login this password (tests log in with it) instead of random ones.
os.environ["GEOGRID_DEMO_PASSWORD"] = PASSWORD
ARTIFACTS = ROOT / "tests" / "artifacts"


@pytest.fixture(autouse=True)
def default_language():
    """Every test starts in the default language (Chinese): a request asking for English (LocaleMiddleware
    activates it in the test's thread and never resets it) must not leak into the tests after it."""
    translation.deactivate()
    yield
    translation.deactivate()


# Whether pytest-django creates the test database in this session (then, migrated, it is what migrations give).
_CREATES_TEST_DATABASE: list[bool] = []


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, django_db_keepdb, django_db_createdb,
                                 django_db_blocker):
    """Tests create, migrate and load the test database as the owner role (README "Database roles"); the
    app role may not create tables. `app_server` and the tamper tests connect as the app role."""
    from django.conf import settings

    owner = {key: settings.DATABASE_ROLES["owner"].get(key, "") for key in ("USER", "PASSWORD", "HOST", "PORT")}
    connection.close()
    settings.DATABASES["default"].update(owner)
    connection.settings_dict.update(owner)
    with django_db_blocker.unblock():
        reused = django_db_keepdb and not django_db_createdb and database_exists(connection.creation._get_test_db_name())
    _CREATES_TEST_DATABASE.append(not reused)


@pytest.fixture
def app_db(django_db_setup, django_db_blocker):
    """A psycopg connection to the test database as the app role, in a transaction that is always rolled
    back; nest `app_db.transaction()` (a savepoint) around a statement expected to fail."""
    import psycopg
    from django.conf import settings

    app = settings.DATABASE_ROLES["app"]
    with django_db_blocker.unblock():
        name, owner = connection.settings_dict["NAME"], connection.settings_dict["USER"]
    if app["USER"] == owner:
        pytest.skip("DATABASE_URL without DATABASE_OWNER_URL: the app connects as the owner, no roles to test")
    with psycopg.connect(dbname=name, user=app["USER"], password=app.get("PASSWORD") or None,
                         host=app["HOST"], port=app["PORT"] or None) as conn:
        with conn.transaction(force_rollback=True):
            yield conn


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Create the test database (pytest-django), keep it as migrations left it when this session created it
    (the template of `empty_database`), then load the demo town into it once."""
    with django_db_blocker.unblock():
        if _CREATES_TEST_DATABASE[-1]:
            keep_template(connection.settings_dict["NAME"])
        call_command("load_demo", verbosity=0)


@pytest.fixture(scope="module")
def empty_database(django_db_setup, django_db_blocker):
    """The module's tests run in a freshly migrated database without the demo town (tests/empty_database.py);
    the session's demo database is back for the next module. Use with `pytest.mark.django_db` (the `db`
    fixture still rolls each test back)."""
    with django_db_blocker.unblock(), empty_database_for_module() as name:
        yield name


@pytest.fixture(scope="session")
def app_server(django_db_setup, django_db_blocker):
    """A real `runserver` process on the test database, for browser tests. Yields its base URL."""
    with django_db_blocker.unblock():
        test_db_name = connection.settings_dict["NAME"]
    if not test_db_name.startswith("test_"):  # a run without any django_db test never set the test database up
        raise RuntimeError(f"app_server needs the test database, not {test_db_name}: mark the test django_db")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # No worker runs in tests: background tasks run inside the request that queues them.
    env = dict(os.environ, GEOGRID_DB_NAME=test_db_name, GEOGRID_DB_ROLE="app", DJANGO_DEBUG="1",
               GEOGRID_TASKS_IMMEDIATE="1")
    if "DATABASE_URL" in env:
        env["DATABASE_URL"] = urlunsplit(urlsplit(env["DATABASE_URL"])._replace(path="/" + test_db_name))
    # The server's log goes to a file (a map page makes hundreds of tile requests: an unread pipe would fill
    # up and block the server), kept beside the screenshots.
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = ARTIFACTS / "app_server.log"
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log.open("wb"),
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        raise RuntimeError(f"app server did not start: {log.read_text(errors='replace')[-2000:]}")
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright (it cannot download its own browsers here)."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; tests still query the ORM synchronously.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def artifacts() -> Path:
    """Folder for screenshots and other test artefacts (kept after the run, git-ignored)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def recorder(browser):
    """A fresh browser page that records every request it makes (see tests/browsing.py)."""
    from tests.browsing import Recorder

    rec = Recorder(browser)
    yield rec
    rec.context.close()
