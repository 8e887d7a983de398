"""`manage.py backup [--keep N] [--nightly]`: the database (pg_dump custom format, as the owner role) and the media
folder into a timestamped folder under GEOGRID_BACKUP_DIR, then keep the newest N (README "Backups")."""
import datetime as dt
import os
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from geogrid.core.backup import (BackupError, backup_root, create_backup, database_config, default_keep,
                                 next_run, parse_at, prune)

RETRY_SECONDS = 15 * 60
RETRIES = 4


class Command(BaseCommand):
    help = "Back up the database and the media folder (GEOGRID_BACKUP_DIR, default var/backups); keep the newest N."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--keep", type=int, default=None,
                            help="complete backups to keep (default GEOGRID_BACKUP_KEEP or 14)")
        parser.add_argument("--dir", type=Path, default=None, help="backup folder (default GEOGRID_BACKUP_DIR)")
        parser.add_argument("--database-url", default=None,
                            help="database to back up (default: the owner role's connection, DATABASE_OWNER_URL)")
        parser.add_argument("--media-root", type=Path, default=None, help="media folder (default MEDIA_ROOT)")
        parser.add_argument("--nightly", action="store_true",
                            help="run forever: one backup each day at GEOGRID_BACKUP_AT (default 02:30, local time)")
        parser.add_argument("--at", default=None, help="time of the nightly backup, HH:MM (default GEOGRID_BACKUP_AT)")

    def handle(self, *args, keep: int | None, dir: Path | None, database_url: str | None, media_root: Path | None,
               nightly: bool, at: str | None, **options) -> None:
        self.root = dir or backup_root()
        self.keep = default_keep() if keep is None else keep
        self.config = database_config(database_url)
        self.media_root = media_root or Path(settings.MEDIA_ROOT)
        try:
            if nightly:
                self.nightly(parse_at(at or os.environ.get("GEOGRID_BACKUP_AT", "02:30")))
            else:
                self.once()
        except BackupError as error:
            raise CommandError(error.message) from None

    def say(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()

    def once(self) -> None:
        create_backup(root=self.root, config=self.config, media_root=self.media_root, progress=self.say)
        prune(self.root, self.keep, progress=self.say)

    def nightly(self, at) -> None:
        """Sleep until the next `at`, back up, apply retention; a failed backup is retried a few times."""
        self.say(f"每日 {at:%H:%M} 备份数据库 {self.config['NAME']} 到 {self.root}，保留最近 {self.keep} 份")
        while True:
            due = next_run(timezone.localtime(), at)
            self.say(f"下次备份：{due:%Y-%m-%d %H:%M}")
            for attempt in range(1, RETRIES + 1):
                while (left := (due - timezone.localtime()).total_seconds()) > 0:
                    time.sleep(min(left, 60))  # short naps: a changed clock is noticed within a minute
                try:
                    self.once()
                    break
                except BackupError as error:
                    self.stderr.write(f"备份失败（第 {attempt} 次）：{error.message}")
                    due = timezone.localtime() + dt.timedelta(seconds=RETRY_SECONDS)
