"""`manage.py restore <folder> [--yes]`: check a backup's manifest, then replace the database and the media folder
with it (README "Backups"). Stop the server and the worker first."""
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from geogrid.core.backup import BackupError, database_config, read_manifest, restore_backup


class Command(BaseCommand):
    help = "Restore a backup folder made by `manage.py backup`: database (as the owner role) and media."

    def add_arguments(self, parser) -> None:
        parser.add_argument("folder", type=Path, help="a backup folder (holding manifest.json)")
        parser.add_argument("--database-url", default=None,
                            help="database to restore into (default: the owner role's connection, DATABASE_OWNER_URL)")
        parser.add_argument("--media-root", type=Path, default=None, help="media folder (default MEDIA_ROOT)")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, folder: Path, database_url: str | None, media_root: Path | None, yes: bool,
               **options) -> None:
        config = database_config(database_url)
        media_root = media_root or Path(settings.MEDIA_ROOT)
        try:
            manifest = read_manifest(folder)  # a damaged backup is refused before anything is asked
            if not yes:
                self.confirm(manifest, config["NAME"], media_root)
            restore_backup(folder=folder, config=config, media_root=media_root, progress=self.stdout.write)
        except BackupError as error:
            raise CommandError(error.message) from None
        self.stdout.write(self.style.SUCCESS("恢复完成"))

    def confirm(self, manifest: dict, database: str, media_root: Path) -> None:
        self.stdout.write(f"将用 {manifest['created_at']} 的备份（数据库 {manifest['database']}）覆盖数据库 {database} "
                          f"的全部表和媒体目录 {media_root}；当前数据将丢失。请先停止服务和后台任务。")
        try:
            answer = input("输入 yes 继续：")
        except EOFError:
            answer = ""
        if answer.strip() != "yes":
            raise CommandError("已取消，未做任何更改（非交互运行请加 --yes）")
