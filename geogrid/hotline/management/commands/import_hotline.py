"""`manage.py import_hotline FILE [--map 列名=源列名] [--encoding gbk] [--street CODE] [--dry-run]`: a 12345 batch."""
from pathlib import Path

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from geogrid.areas.models import Area
from geogrid.hotline.readers import COLUMNS, HotlineError
from geogrid.hotline.services import import_batch


class Command(BaseCommand):
    help = ("导入12345热线工单批次（CSV/XLSX），按地址匹配房屋定位，未匹配的进入待定位队列；整批要么全部导入，要么不导入。"
            " / Import a 12345 hotline batch: located by building address, unmatched ones wait to be placed; "
            "all of it or none of it. Columns: " + "、".join(c.name for c in COLUMNS)
            + " (see geogrid/hotline/readers.py).")

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--map", action="append", default=[], metavar="列名=源列名",
                            help="read a column from a column named otherwise, e.g. --map 地址=事发地址 (repeatable)")
        parser.add_argument("--encoding", help="encoding of a CSV that is not UTF-8, e.g. gbk")
        parser.add_argument("--street", help="street code whose centre queues unmatched tickets naming no street "
                                             "(default: the only street, if there is one)")
        parser.add_argument("--user", help="username recorded as the importer")
        parser.add_argument("--dry-run", action="store_true", help="check and match everything, write nothing")

    def handle(self, *args, file: Path, verbosity: int, **opts) -> None:
        mapping = {}
        for item in opts["map"]:
            target, sep, source = item.partition("=")
            if not sep:
                raise CommandError(f"--map 须为 列名=源列名 / --map needs TARGET=COLUMN, got {item!r}")
            mapping[target.strip()] = source.strip()
        street = user = None
        if opts["street"]:
            street = Area.objects.streets().filter(code=opts["street"]).first()
            if street is None:
                raise CommandError(f"没有代码为 {opts['street']} 的街道/乡镇 / no such street")
        if opts["user"]:
            user = User.objects.filter(username=opts["user"]).first()
            if user is None:
                raise CommandError(f"没有用户 {opts['user']} / no such user")
        bar: tqdm | None = None

        def progress(done: int, total: int) -> None:
            nonlocal bar
            if verbosity < 1:
                return
            bar = bar or tqdm(total=total, desc="导入 import", unit="单")
            bar.update(done - bar.n)

        try:
            result = import_batch(file, mapping=mapping, encoding=opts["encoding"], street=street, user=user,
                                  dry_run=opts["dry_run"], progress=progress)
        except HotlineError as error:
            for message in error.errors:
                self.stderr.write(f"错误 error: {message}")
            more = f"（另有 {error.total - len(error.errors)} 条未列出）" if error.total > len(error.errors) else ""
            raise CommandError(f"导入失败，数据库未作任何改动{more} / import failed, nothing was written "
                               f"({error.total} errors)") from None
        finally:
            if bar is not None:
                bar.close()
        if verbosity >= 2:
            for line, address, reason in result.waiting:
                self.stdout.write(f"待定位 unplaced: 第 {line} 行 {address or '（无地址）'}：{reason}")
        verb = "试导入（未写入）would import" if result.dry_run else "已导入 imported"
        self.stdout.write(self.style.SUCCESS(
            f"{verb} {result.rows} 行 rows: 已定位 matched {result.matched}, 待定位 unmatched {result.unmatched} "
            f"(地址重复 ambiguous {result.ambiguous}), 重复工单 duplicate {result.duplicates}"))
