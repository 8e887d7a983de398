"""Events benchmark (run by hand, never in tests).

    .venv/bin/python scripts/bench/events.py [--tickets 1000000] [--sample 10000]
                                             [--seconds 20] [--clients 32] [--workers 2] [--keep-db]

Everything runs in a scratch database, `geogrid_bench`: created, migrated and loaded with the demo town
(`load_demo`) at the start and dropped at the end (unless --keep-db), so the dev database `geogrid` never sees a
generated ticket. Only the local cluster (.pg/run) is supported: with DATABASE_URL set the script refuses.

1. Bulk re-routing. One INSERT ... SELECT over generate_series files N tickets at random points inside the demo
   street's bounding box, with no routing snapshot (as if every boundary had just changed), in a mix of open
   states (20 % still waiting for review, so their department is looked up again too). Inside that transaction,
   which is rolled back at the end, with foreign keys checked at once and every trigger (audit, tile
   invalidation) live, it times:
   a. one lookup per ticket: `geogrid.locate.selectors.grid_refs_at` in a loop over a random sample (and the
      same loop with the per-ticket UPDATE and step INSERT, in a savepoint rolled back), extrapolated to N;
   b. `services.route_events` over every open ticket: set-based, one statement per batch of 20,000;
   and prints the ratio.
2. Load run. A local gunicorn (loopback only, `--workers` sync workers) on the scratch database, with the public
   report rate limit raised through its environment (GEOGRID_REPORT_RATE), and `--clients` threads posting
   Open311 tickets (JSON, WGS84 points inside the street, unique client_ids) for `--seconds`. Some posts are
   deliberate retries: a thread re-sends one of its own earlier ids (a phone after a lost answer), and all
   threads now and then post the same shared id at once (concurrent retries). Prints throughput, p50/p99
   latency, and the count check: every acknowledged ticket is in the database exactly once under the id it was
   acknowledged with (zero lost, zero duplicated), every retry got the first ticket's id.
"""
import argparse
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
BENCH_DB = "geogrid_bench"
if os.environ.get("DATABASE_URL"):
    sys.exit("events.py runs on the local cluster only: unset DATABASE_URL")
os.environ["GEOGRID_DB_NAME"] = BENCH_DB
os.environ["GEOGRID_DB_ROLE"] = "owner"  # it creates, migrates and drops the scratch database; gunicorn is the app
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geogrid.settings")
os.environ["DJANGO_DEBUG"] = "0"  # DEBUG keeps every query in memory

import django  # noqa: E402

django.setup()

import psycopg  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.gis.geos import Point  # noqa: E402
from django.db import connection, connections, transaction  # noqa: E402

from geogrid.demo.town import STREET_CODE  # noqa: E402
from geogrid.events.models import Event  # noqa: E402
from geogrid.events.services import route_events  # noqa: E402
from geogrid.locate.selectors import grid_refs_at  # noqa: E402

MANAGE = [sys.executable, str(ROOT / "manage.py")]
REVIEW_SHARE = 0.2  # of generated tickets still reported/accepted (their department is re-routed too)


class Rollback(Exception):
    pass


# ---- the scratch database -----------------------------------------------------------------------------------

def admin_connection() -> psycopg.Connection:
    db = settings.DATABASES["default"]
    assert db["NAME"] == BENCH_DB, db["NAME"]
    return psycopg.connect(dbname="postgres", user=db["USER"], host=db["HOST"], port=db["PORT"], autocommit=True)


def create_database() -> None:
    with admin_connection() as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {BENCH_DB}")
    env = dict(os.environ, GEOGRID_DB_NAME=BENCH_DB)
    for command in (["migrate", "--noinput", "-v", "0"], ["createcachetable"], ["load_demo", "-v", "0"]):
        subprocess.run(MANAGE + command, cwd=ROOT, env=env, check=True)


def drop_database() -> None:
    connections.close_all()
    with admin_connection() as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")


# ---- 1. bulk re-routing -------------------------------------------------------------------------------------

GENERATE_SQL = """
WITH box AS (SELECT ST_XMin(geom) x0, ST_YMin(geom) y0, ST_XMax(geom) x1, ST_YMax(geom) y1
             FROM areas_area WHERE code = %(street)s),
     leaves AS (SELECT array_agg(id ORDER BY id) ids FROM events_eventcategory c
                WHERE NOT EXISTS (SELECT 1 FROM events_eventcategory k WHERE k.parent_id = c.id))
INSERT INTO events_event (location, description, reported_at, status, category_id, address, closure, due_estimated,
                          grid_ids, level, raw_crs, reporter_name, reporter_phone, routing_note, source, updated_at)
SELECT ST_SetSRID(ST_MakePoint(x0 + random() * (x1 - x0), y0 + random() * (y1 - y0)), 4490), 'bench ticket',
       now() - random() * interval '30 days',
       CASE WHEN r < %(review)s / 2 THEN 'reported' WHEN r < %(review)s THEN 'accepted'
            WHEN r < 0.6 THEN 'dispatched' WHEN r < 0.9 THEN 'handling' WHEN r < 0.95 THEN 'fed_back'
            ELSE 'verifying' END,
       ids[1 + (n %% array_length(ids, 1))], '', '', false, '{}', 2, '', '', '', '', 'grid_worker', now()
FROM box, leaves, (SELECT n, random() r FROM generate_series(1, %(count)s) n) g
"""


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def bench_reroute(count: int, sample: int) -> None:
    print(f"1. bulk re-route of {count:,} generated tickets (rolled back at the end)")
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")  # generating: no triggers
            _, seconds = timed(lambda: cursor.execute(GENERATE_SQL, {"street": STREET_CODE, "count": count,
                                                                      "review": REVIEW_SHARE}))
            cursor.execute("SET LOCAL session_replication_role = origin")
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # foreign keys checked now, not at a commit never made
            cursor.execute("ANALYZE events_event")
            print(f"   generated in {seconds:.1f} s (one INSERT ... SELECT over generate_series)")
            cursor.execute("SELECT id, ST_X(location), ST_Y(location) FROM events_event "
                           "WHERE description = 'bench ticket' ORDER BY random() LIMIT %s", [sample])
            rows = cursor.fetchall()
            points = [(pk, Point(x, y, srid=4490)) for pk, x, y in rows]

            def lookups() -> int:
                return sum(1 for _, point in points if grid_refs_at(point)[0])

            hits, lookup_s = timed(lookups)

            def lookups_and_writes() -> None:
                with transaction.atomic():
                    for pk, point in points:
                        chain, _ = grid_refs_at(point)
                        if not chain:
                            continue
                        cursor.execute("UPDATE events_event SET grid_id = %s, grid_ids = %s, community_id = %s, "
                                       "street_id = %s WHERE id = %s",
                                       [chain[0].id, [g.id for g in chain], chain[0].community.id,
                                        chain[0].street.id if chain[0].street else None, pk])
                        cursor.execute("INSERT INTO events_eventtransition (event_id, action, from_status, to_status, "
                                       "at, note, data) SELECT id, 'reroute', status, status, now(), '', '{}' "
                                       "FROM events_event WHERE id = %s", [pk])
                    raise Rollback

            started = time.perf_counter()
            try:
                lookups_and_writes()
            except Rollback:
                pass
            write_s = time.perf_counter() - started
            per_lookup, per_write = lookup_s / len(points), write_s / len(points)
            print(f"   one lookup per ticket (grid_refs_at), sample of {len(points):,}: {lookup_s:.1f} s "
                  f"({per_lookup * 1000:.2f} ms each, {hits:,} inside a grid); extrapolated to {count:,}: "
                  f"{per_lookup * count:,.0f} s")
            print(f"   one lookup + UPDATE + step INSERT per ticket, same sample: {write_s:.1f} s "
                  f"({per_write * 1000:.2f} ms each); extrapolated: {per_write * count:,.0f} s")
            moved, set_s = timed(lambda: route_events(progress=True))
            print(f"   services.route_events (set-based, batches of 20,000, departments of the "
                  f"{REVIEW_SHARE:.0%} under review re-routed): {set_s:.1f} s for {count:,} + demo tickets, "
                  f"{moved:,} moved")
            print(f"   ratio, lookups only: {per_lookup * count / set_s:.1f}x; with per-ticket writes: "
                  f"{per_write * count / set_s:.1f}x faster set-based (per-ticket figures extrapolated from "
                  f"the sample of {len(points):,})")
            raise Rollback
    except Rollback:
        pass


# ---- 2. load run --------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(port: int, workers: int) -> subprocess.Popen:
    env = dict(os.environ, GEOGRID_DB_NAME=BENCH_DB, GEOGRID_DB_ROLE="app", DJANGO_DEBUG="0",
               GEOGRID_REPORT_RATE="1000000/minute", DJANGO_ALLOWED_HOSTS="127.0.0.1")
    proc = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "geogrid.wsgi", "-b", f"127.0.0.1:{port}",
                             "--workers", str(workers), "--backlog", "256", "--log-level", "warning"],
                            cwd=ROOT, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("gunicorn did not start")


class Tally:
    """What the clients saw, shared between threads (appends under one lock)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.acknowledged: dict[str, set[str]] = {}  # client_id -> ticket ids answered for it
        self.statuses: Counter = Counter()
        self.errors: Counter = Counter()
        self.retries = 0

    def record(self, client_id: str, status: int | None, seconds: float, ticket: str | None, retry: bool) -> None:
        with self.lock:
            self.latencies.append(seconds)
            self.statuses[status] += 1
            self.retries += retry
            if ticket is not None:
                self.acknowledged.setdefault(client_id, set()).add(ticket)


def client(port: int, run: str, number: int, points: list[tuple[float, float]], codes: list[str], stop: float,
           start: float, tally: Tally) -> None:
    rng = random.Random(number)
    own: list[str] = []
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    sent = 0
    while time.monotonic() < stop:
        roll = rng.random()
        if own and roll < 0.05:  # a phone retrying after a lost answer
            client_id, retry = rng.choice(own), True
        elif roll < 0.08:  # every thread at once, the same id: concurrent retries
            client_id, retry = f"{run}-shared-{int((time.monotonic() - start) * 2)}", True
        else:
            client_id, retry = f"{run}-{number}-{sent}", False
            own.append(client_id)
        sent += 1
        lon, lat = rng.choice(points)
        body = json.dumps({"service_code": rng.choice(codes), "description": "压测工单", "long": lon, "lat": lat,
                           "coordinate_system": "wgs84", "client_id": client_id})
        began = time.perf_counter()
        try:
            conn.request("POST", "/open311/v2/requests.json", body, {"Content-Type": "application/json"})
            response = conn.getresponse()
            payload = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as error:
            tally.errors[type(error).__name__] += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            tally.record(client_id, None, time.perf_counter() - began, None, retry)
            continue
        ticket = json.loads(payload)[0]["service_request_id"] if status in (200, 201) else None
        tally.record(client_id, status, time.perf_counter() - began, ticket, retry)
    conn.close()


def warm_up(port: int, workers: int) -> None:
    """Untimed: each worker loads the URL conf, DRF and the CRS machinery on its first requests. A refused post
    (unknown service_code) files nothing, so the count check is not disturbed."""
    for _ in range(4 * workers):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/open311/v2/services.json")
        conn.getresponse().read()
        conn.request("POST", "/open311/v2/requests.json", json.dumps({"service_code": "none"}),
                     {"Content-Type": "application/json"})
        conn.getresponse().read()
        conn.close()


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]


def bench_load(seconds: float, clients: int, workers: int) -> None:
    print(f"2. load run: gunicorn ({workers} sync workers, 127.0.0.1 only), {clients} client threads, {seconds:.0f} s, "
          f"POST /open311/v2/requests.json (report rate limit raised via GEOGRID_REPORT_RATE)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_X(p), ST_Y(p) FROM (SELECT (ST_Dump(ST_GeneratePoints(geom, 2000, 7))).geom p "
                       "FROM areas_area WHERE code = %s) s", [STREET_CODE])
        points = cursor.fetchall()
        cursor.execute("SELECT code FROM events_eventcategory c WHERE active AND NOT EXISTS "
                       "(SELECT 1 FROM events_eventcategory k WHERE k.parent_id = c.id) ORDER BY code")
        codes = [row[0] for row in cursor.fetchall()]
    before = Event.objects.count()
    run = f"load-{time.time_ns()}"
    port = free_port()
    server = start_gunicorn(port, workers)
    tally = Tally()
    try:
        warm_up(port, workers)
        start = time.monotonic()
        stop = start + seconds
        threads = [threading.Thread(target=client, args=(port, run, n, points, codes, stop, start, tally))
                   for n in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - start
    finally:
        server.terminate()
        server.wait(timeout=30)
    requests = len(tally.latencies)
    answered = sum(n for status, n in tally.statuses.items() if status in (200, 201))
    latencies = sorted(tally.latencies)
    print(f"   {requests:,} requests in {elapsed:.1f} s: {requests / elapsed:,.1f} req/s; "
          f"acknowledged {answered:,} ({tally.statuses[201]:,} new tickets = {tally.statuses[201] / elapsed:,.1f}/s, "
          f"{tally.statuses[200]:,} retries answered with the first ticket); {tally.retries:,} posts were retries")
    print(f"   latency p50 {percentile(latencies, 50) * 1000:.0f} ms, p99 {percentile(latencies, 99) * 1000:.0f} ms, "
          f"max {latencies[-1] * 1000:.0f} ms; statuses {dict(tally.statuses)}; client errors {dict(tally.errors)}")
    stored = dict(Event.objects.filter(client_id__startswith=run).values_list("client_id", "pk"))
    rows_per_id = Counter(Event.objects.filter(client_id__startswith=run).values_list("client_id", flat=True))
    lost = [c for c in tally.acknowledged if c not in stored]
    duplicated = [c for c, n in rows_per_id.items() if n > 1]
    split = [c for c, ids in tally.acknowledged.items() if len(ids) > 1 or (c in stored and ids != {str(stored[c])})]
    unacknowledged = [c for c in stored if c not in tally.acknowledged]
    print(f"   count check: {len(tally.acknowledged):,} acknowledged client ids, {len(stored):,} tickets stored "
          f"(events {before:,} → {Event.objects.count():,}); lost {len(lost)}, duplicated {len(duplicated)}, "
          f"answered with two different tickets {len(split)}, stored but never acknowledged {len(unacknowledged)}")
    if lost or duplicated or split:
        sys.exit("COUNT CHECK FAILED")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keep-db", action="store_true", help=f"keep {BENCH_DB} afterwards")
    args = parser.parse_args()
    print(f"setting up the scratch database {BENCH_DB} (migrate, load_demo)…")
    _, seconds = timed(create_database)
    print(f"   ready in {seconds:.0f} s")
    try:
        bench_reroute(args.tickets, args.sample)
        bench_load(args.seconds, args.clients, args.workers)
    finally:
        if not args.keep_db:
            drop_database()
            print(f"dropped {BENCH_DB}")


if __name__ == "__main__":
    main()
