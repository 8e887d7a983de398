"""The production settings pass Django's deployment checks."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def production(*args: str) -> subprocess.CompletedProcess:
    """`manage.py ARGS` under the production settings."""
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="geogrid.settings.production",
               DJANGO_SECRET_KEY="x" * 20 + "-a-long-random-production-secret-for-the-check-only-0123456789",
               DJANGO_ALLOWED_HOSTS="grid.example.org")
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for Playwright in the test process only
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def test_production_settings_pass_check_deploy():
    result = production("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_does_not_install_the_demo_generator():
    commands = production("help", "--commands")
    assert commands.returncode == 0, commands.stderr
    listed = commands.stdout.split()
    assert "load_demo" not in listed and "migrate" in listed and "import_data" in listed
    apps = production("shell", "-c", "from django.conf import settings; print(settings.INSTALLED_APPS)")
    assert "geogrid.demo" not in apps.stdout and "geogrid.grids" in apps.stdout, apps.stderr


def test_health_endpoint_is_public_and_reports_postgis(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["postgis"].startswith("3.")


def test_database_url_points_the_app_at_another_postgis(db):
    """The test database stands in for "another PostGIS": DATABASE_URL must take the app there."""
    from urllib.parse import quote

    from django.db import connection

    settings = connection.settings_dict
    url = f"postgis://{settings['USER']}@{quote(settings['HOST'], safe='')}:{settings['PORT']}/{settings['NAME']}"
    env = dict(os.environ, DATABASE_URL=url)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c",
         "from django.db import connection; c = connection.cursor(); "
         "c.execute('SELECT current_database(), postgis_lib_version()'); print(*c.fetchone())"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    database, postgis = result.stdout.split()[-2:]
    assert database == settings["NAME"] and postgis.startswith("3.")
