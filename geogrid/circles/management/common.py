"""What the circles commands share: the run options and a tqdm bar fed by the services' progress callbacks."""
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.management.base import CommandError
from tqdm import tqdm

from geogrid.areas.models import Area
from geogrid.circles.models import CircleRun, WalkingNetwork
from geogrid.circles.services import Progress


@contextmanager
def progress_bar(disable: bool = False) -> Iterator[Progress]:
    with tqdm(total=100, unit="%", disable=disable, leave=False) as bar:
        def report(stage: str, percent: int) -> None:
            bar.set_description(stage)
            bar.update(max(0, percent - bar.n))

        yield report


def add_run_arguments(parser) -> None:
    parser.add_argument("--network", type=int, help="network id (default: the newest)")
    parser.add_argument("--area", help="area code (default: everything)")
    parser.add_argument("--kind", default="", help="station kind (default: all stations)")
    parser.add_argument("--mode", choices=CircleRun.Mode.values, default=CircleRun.Mode.TIME)
    parser.add_argument("--weight", choices=CircleRun.Weight.values, default=CircleRun.Weight.HOUSEHOLDS)


def run_from_options(opts: dict, **extra) -> CircleRun:
    """A saved (queued) run from the command's options."""
    networks = WalkingNetwork.objects.all()
    network = networks.filter(pk=opts["network"]).first() if opts["network"] else networks.first()
    if network is None:
        raise CommandError("没有步行路网，请先运行 build_walking_network / no walking network: build one first")
    area = None
    if opts["area"]:
        area = Area.objects.filter(code=opts["area"]).first()
        if area is None:
            raise CommandError(f"未知的区划代码 {opts['area']} / unknown area code")
    return CircleRun.objects.create(network=network, area=area, station_kind=opts["kind"], mode=opts["mode"],
                                    weight=opts["weight"], **extra)
