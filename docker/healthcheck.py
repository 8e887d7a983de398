"""Container healthchecks: `healthcheck.py app` asks /healthz; `healthcheck.py worker|backup` checks that the
container's main process is that command and that the database answers as the container's role."""
import os
import sys
import urllib.request

import dj_database_url
import psycopg

COMMANDS = {"worker": "run_worker", "backup": "backup"}


def main(kind: str) -> None:
    if kind == "app":
        request = urllib.request.Request("http://127.0.0.1:8000/healthz", headers={"Host": "localhost"})
        urllib.request.urlopen(request, timeout=4)
        return
    with open("/proc/1/cmdline", "rb") as f:
        if COMMANDS[kind].encode() not in f.read().split(b"\0"):
            sys.exit(f"PID 1 is not {COMMANDS[kind]}")
    url = os.environ["DATABASE_OWNER_URL" if os.environ.get("GEOGRID_DB_ROLE") == "owner" else "DATABASE_URL"]
    db = dj_database_url.parse(url)
    with psycopg.connect(dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"], host=db["HOST"],
                         port=db["PORT"] or None, connect_timeout=4) as conn:
        conn.execute("SELECT 1")


if __name__ == "__main__":
    main(sys.argv[1])
