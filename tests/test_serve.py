"""The embedded server (scripts/serve.sh): production settings with the installation's generated key, gunicorn
with whitenoise and persistent connections, the supervisor that restarts the background worker, the demo's
random passwords, and 503 with Retry-After (not a 500 page) while the database is unreachable."""
import hashlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import OperationalError, connection
from django.test import Client

from geogrid.demo import services
from geogrid.demo.services import OLD_SHARED_PASSWORD
from tests.browsing import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN_APP_NAME = "geogrid-test-gunicorn"


def django_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, **extra)
    for name in ("DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"):
        env.pop(name, None)
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, what: str, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


# ---------- production settings ----------

def test_production_settings_generate_the_installation_key_once(tmp_path):
    key_file = tmp_path / "var" / "secret_key"
    env = django_env(DJANGO_SETTINGS_MODULE="geogrid.settings.production", GEOGRID_SECRET_KEY_FILE=str(key_file))
    check = subprocess.run([PYTHON, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                           cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr
    key = key_file.read_text()
    assert len(key) >= 50 and key_file.stat().st_mode & 0o777 == 0o600
    assert key not in check.stdout + check.stderr
    shown = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", "from django.conf import settings; import hashlib; "
         "print(settings.DEBUG, hashlib.sha256(settings.SECRET_KEY.encode()).hexdigest(), settings.ALLOWED_HOSTS)"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    debug, digest, hosts = shown.stdout.splitlines()[-1].split(maxsplit=2)
    assert debug == "False" and digest == hashlib.sha256(key.encode()).hexdigest()  # the same key, not a new one
    assert key_file.read_text() == key and "'localhost'" in hosts and "'127.0.0.1'" in hosts


# ---------- demo passwords ----------

def logs_in(username: str, password: str) -> bool:
    return User.objects.get(username=username).check_password(password)


@pytest.mark.django_db
def test_load_demo_without_a_known_password_gives_random_ones(monkeypatch, tmp_path):
    """A login still holding the old shared password and one just created (no usable password) get random
    passwords, printed and written to the logins file (0600); a login with its own password keeps it."""
    monkeypatch.delenv("GEOGRID_DEMO_PASSWORD")
    monkeypatch.setattr(services, "DEMO_LOGINS_PATH", tmp_path / "demo-logins.txt")
    User.objects.filter(username="street").update(password=make_password(OLD_SHARED_PASSWORD))
    User.objects.filter(username="community").update(password=make_password(None))
    out = StringIO()
    call_command("load_demo", stdout=out)
    logins = dict(line.split(" ", 1) for line in (tmp_path / "demo-logins.txt").read_text().splitlines())
    assert sorted(logins) == ["community", "street"]
    assert (tmp_path / "demo-logins.txt").stat().st_mode & 0o777 == 0o600
    for username, password in logins.items():
        assert password in out.getvalue() and password not in (OLD_SHARED_PASSWORD, PASSWORD)
        assert logs_in(username, password)
    assert not logs_in("street", OLD_SHARED_PASSWORD)
    assert logs_in("police", PASSWORD)  # kept its own
    assert logins["street"] != logins["community"]


# ---------- database outage ----------

def refuse_every_query(execute, sql, params, many, context):
    raise OperationalError("connection to server was lost")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/grids.geojson", "/open311/v2/services.json", "/healthz"])
def test_an_outage_answers_json_503_with_retry_after_on_the_api(path):
    client = Client(raise_request_exception=False)  # the test client would re-raise what middleware met
    client.force_login(User.objects.get(username="street"))
    with connection.execute_wrapper(refuse_every_query):
        response = client.get(path)
    assert response.status_code == 503 and response["Retry-After"] == "10"
    body = response.json()
    assert body["code"] == "database_unavailable" and body["field"] is None and "数据库" in body["message"]


@pytest.mark.django_db
def test_an_outage_answers_a_chinese_503_page_elsewhere():
    client = Client(raise_request_exception=False)  # the test client would re-raise what middleware met
    client.force_login(User.objects.get(username="street"))
    with connection.execute_wrapper(refuse_every_query):
        response = client.get("/")
    assert response.status_code == 503 and response["Retry-After"] == "10"
    assert response["Content-Type"].startswith("text/html") and "服务暂时不可用" in response.content.decode()


def test_a_database_that_refuses_connections_gives_503():
    """A real outage: the settings point at a port nobody listens on."""
    script = ("from django.test import Client; c = Client()\n"
              "for r in (c.get('/healthz'), c.get('/open311/v2/services.json'),\n"
              "          c.post('/accounts/login/', {'username': 'street', 'password': 'x'})):\n"
              "    print('answer', r.status_code, r.get('Retry-After'), r.content.decode()[:300].replace(chr(10), ' '))")
    env = django_env(DATABASE_URL=f"postgis://nobody@127.0.0.1:{free_port()}/nothing", PYTHONIOENCODING="utf-8")
    result = subprocess.run([PYTHON, "manage.py", "shell", "-c", script], cwd=ROOT, env=env,
                            capture_output=True, encoding="utf-8", timeout=120)
    lines = [line for line in result.stdout.splitlines() if line.startswith("answer ")]
    assert len(lines) == 3, result.stdout + result.stderr
    for line in lines:
        assert " 503 10 " in line, line
    assert "database_unavailable" in lines[0] and "database_unavailable" in lines[1]
    assert "服务暂时不可用" in lines[2]  # the login form: the page, not JSON


# ---------- the supervisor ----------

def test_the_supervisor_restarts_a_command_that_dies_and_stops_it_on_sigterm(tmp_path):
    log = tmp_path / "dummy.log"
    supervisor = subprocess.Popen([PYTHON, "scripts/supervise.py", "--log", str(log), "--restart", "--",
                                   "sh", "-c", "echo started $$; exec sleep 600"], cwd=ROOT)

    def started() -> list[int]:
        return [int(pid) for pid in re.findall(r"^started (\d+)$", log.read_text() if log.exists() else "", re.M)]

    try:
        first = wait_for(started, "the first start")[0]
        os.kill(first, signal.SIGKILL)  # the worker dies
        second = wait_for(lambda: started()[1:], "the restart")[0]
        assert second != first and "exited with status -9" in log.read_text()
        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=30) == 0
        with pytest.raises(ProcessLookupError):
            os.kill(second, 0)  # the command went with it
        assert len(started()) == 2  # and was not started again
    finally:
        supervisor.kill()


# ---------- gunicorn end to end ----------

@pytest.fixture(scope="module")
def gunicorn_server(django_db_setup, django_db_blocker, tmp_path_factory):
    """scripts/serve.sh's server on the test database: gunicorn under the supervisor, production settings."""
    with django_db_blocker.unblock():
        test_db_name = connection.settings_dict["NAME"]
    var = tmp_path_factory.mktemp("var")
    port = free_port()
    env = django_env(DJANGO_SETTINGS_MODULE="geogrid.settings.production", GEOGRID_HTTPS="0",
                     GEOGRID_DB_NAME=test_db_name, GEOGRID_DB_ROLE="app", GEOGRID_BIND=f"127.0.0.1:{port}",
                     GEOGRID_WORKERS="2", GEOGRID_SECRET_KEY_FILE=str(var / "secret_key"),
                     GEOGRID_STATIC_ROOT=str(var / "static"),
                     PGAPPNAME=GUNICORN_APP_NAME)  # libpq names its connections: other servers use the test db too
    if "DATABASE_URL" in env:
        env["DATABASE_URL"] = urlunsplit(urlsplit(env["DATABASE_URL"])._replace(path="/" + test_db_name))
    subprocess.run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env,
                   check=True, timeout=300)
    log = var / "log" / "gunicorn.log"
    proc = subprocess.Popen([PYTHON, "scripts/supervise.py", "--log", str(log), "--",
                             str(Path(PYTHON).parent / "gunicorn"), "-c", "geogrid/gunicorn_conf.py"],
                            cwd=ROOT, env=env)

    def answers() -> bool:
        try:
            return urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5).status == 200
        except (OSError, urllib.error.HTTPError):
            return proc.poll() is not None  # stop waiting if it died
    wait_for(answers, "gunicorn")
    assert proc.poll() is None, log.read_text()
    yield f"http://127.0.0.1:{port}", log
    proc.terminate()
    proc.wait(timeout=60)


def fetch(url: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.mark.django_db
def test_gunicorn_serves_with_debug_off_and_whitenoise(gunicorn_server):
    base, log = gunicorn_server
    status, _, body = fetch(f"{base}/no-such-page")
    assert status == 404 and b"URLconf" not in body and b"Traceback" not in body  # not Django's debug page
    status, _, page = fetch(f"{base}/accounts/login/")
    assert status == 200
    stylesheet = re.search(rb'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', page)
    assert stylesheet, page[:2000]  # the manifest's hashed names
    status, headers, _ = fetch(base + stylesheet.group(1).decode())
    assert status == 200 and "immutable" in headers["Cache-Control"]  # whitenoise, cached for good
    assert '"GET /accounts/login/ HTTP/1.1" 200' in log.read_text()  # the access log reaches var/log


@pytest.mark.django_db
def test_gunicorn_keeps_its_database_connections(gunicorn_server):
    base, _ = gunicorn_server
    name = connection.settings_dict["NAME"]

    def backends() -> set[int]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s AND application_name = %s",
                           [name, GUNICORN_APP_NAME])
            return {row[0] for row in cursor.fetchall()}

    for _ in range(20):
        assert fetch(f"{base}/healthz")[0] == 200
    first = backends()
    assert 1 <= len(first) <= 2  # one per gunicorn worker, left open after the requests
    for _ in range(20):
        assert fetch(f"{base}/healthz")[0] == 200
    assert backends() == first  # the same connections served the next requests
