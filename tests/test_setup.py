"""The set-up command is idempotent: a second run reuses the cluster, the venv and the data."""
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif("DATABASE_URL" in os.environ, reason="checks the project-local cluster")
def test_second_setup_run_reuses_everything():
    result = subprocess.run(
        ["bash", "-c", ". scripts/setup.sh && geogrid_setup && .venv/bin/python manage.py load_demo"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert "PostgreSQL already running" in out
    assert "creating the project-local PostgreSQL cluster" not in out
    assert "creating .venv" not in out and "installing requirements.txt" not in out
    assert "installing Debian packages" not in out
    assert "already loaded" in out
