#!/usr/bin/env python3
"""Run one command for scripts/serve.sh, its output (stdout and stderr) into a rotated log file.

    supervise.py --log var/log/worker.log [--restart] [--echo] -- COMMAND ARGS...

The supervisor is the log's only writer, so rotation (--max-mb, --backups) is safe however many processes
the command forks (gunicorn's workers write to the master's stdout). With --restart, a command that exits is
started again after a pause that doubles from 1 s up to 60 s and falls back to 1 s once a run lasted a
minute; without it, the supervisor exits with the command's status (0 when it was asked to stop). SIGTERM or SIGINT stops it: the command
gets SIGTERM, then SIGKILL if it is still there after --grace seconds. Standard library only.
"""
from __future__ import annotations

import argparse
import logging
import signal
import subprocess
import sys
import threading
import time
from logging.handlers import RotatingFileHandler
from pathlib import Path

FIRST_PAUSE, LONGEST_PAUSE, STEADY_RUN = 1.0, 60.0, 60.0


class Supervisor:
    def __init__(self, command: list[str], log: logging.Logger, *, restart: bool, grace: float) -> None:
        self.command, self.log, self.restart, self.grace = command, log, restart, grace
        self.stopping = threading.Event()
        self.child: subprocess.Popen | None = None

    def stop(self, signum: int, _frame: object) -> None:
        self.stopping.set()
        if self.child is not None and self.child.poll() is None:
            self.child.send_signal(signal.SIGTERM)

    def note(self, message: str, *args: object) -> None:
        self.log.info(f"{time.strftime('%Y-%m-%d %H:%M:%S')} [supervise] {message}", *args)

    def run_once(self) -> int:
        self.child = subprocess.Popen(self.command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                      stdin=subprocess.DEVNULL, start_new_session=True)
        self.note("started %s (pid %d)", " ".join(self.command), self.child.pid)
        reader = threading.Thread(target=self.copy_output, args=(self.child.stdout,), daemon=True)
        reader.start()
        while True:
            try:
                status = self.child.wait(timeout=self.grace if self.stopping.is_set() else None)
                break
            except subprocess.TimeoutExpired:  # asked to stop and still there after the grace period
                self.note("pid %d ignored SIGTERM for %.0f s: killing it", self.child.pid, self.grace)
                self.child.kill()
        reader.join(timeout=5)
        self.note("pid %d exited with status %d", self.child.pid, status)
        return status

    def copy_output(self, stream) -> None:
        for line in iter(stream.readline, b""):
            self.log.info(line.decode(errors="replace").rstrip("\n"))

    def run(self) -> int:
        pause = FIRST_PAUSE
        while True:
            started = time.monotonic()
            status = self.run_once()
            if self.stopping.is_set():
                return 0
            if not self.restart:
                return status
            pause = FIRST_PAUSE if time.monotonic() - started >= STEADY_RUN else pause
            self.note("restarting in %.0f s", pause)
            if self.stopping.wait(pause):
                return 0
            pause = min(pause * 2, LONGEST_PAUSE)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--log", type=Path, required=True, help="log file (rotated)")
    parser.add_argument("--max-mb", type=float, default=20, help="rotate when the log reaches this size")
    parser.add_argument("--backups", type=int, default=5, help="rotated logs kept (worker.log.1 ...)")
    parser.add_argument("--restart", action="store_true", help="start the command again whenever it exits")
    parser.add_argument("--echo", action="store_true", help="copy the output to this terminal too")
    parser.add_argument("--grace", type=float, default=30, help="seconds between SIGTERM and SIGKILL")
    parser.add_argument("command", nargs="+")
    args = parser.parse_args(argv)

    args.log.parent.mkdir(parents=True, exist_ok=True)
    log = logging.getLogger("supervise")
    log.setLevel(logging.INFO)
    log.addHandler(RotatingFileHandler(args.log, maxBytes=int(args.max_mb * 1024 * 1024),
                                       backupCount=args.backups, encoding="utf-8"))
    if args.echo:
        log.addHandler(logging.StreamHandler(sys.stdout))
    supervisor = Supervisor(args.command, log, restart=args.restart, grace=args.grace)
    signal.signal(signal.SIGTERM, supervisor.stop)
    signal.signal(signal.SIGINT, supervisor.stop)
    return supervisor.run()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
