"""The production settings pass Django's deployment checks."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_production_settings_pass_check_deploy():
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="geogrid.settings.production",
               DJANGO_SECRET_KEY="x" * 20 + "-a-long-random-production-secret-for-the-check-only-0123456789",
               DJANGO_ALLOWED_HOSTS="grid.example.org")
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for Playwright in the test process only
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_health_endpoint_is_public_and_reports_postgis(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["postgis"].startswith("3.")
