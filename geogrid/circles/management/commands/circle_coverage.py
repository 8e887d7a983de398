"""`manage.py circle_coverage [--network ID] [--area CODE] [--kind KIND] [--mode time|standard]
[--weight households|resident_households] [--level grid|community|street]`: households within 5/10/15
minutes (or 300/500/1000 m) of a station, per grid, community or street."""
from django.core.management.base import BaseCommand, CommandError

from geogrid.circles.management.common import add_run_arguments, progress_bar, run_from_options
from geogrid.circles.selectors import LEVELS, band_labels, coverage_table
from geogrid.circles.services import CirclesError, run_circles


class Command(BaseCommand):
    help = "Compute the service circles: each building's walk to its nearest station, coverage per grid."

    def add_arguments(self, parser) -> None:
        add_run_arguments(parser)
        parser.add_argument("--level", choices=list(LEVELS), default="grid")

    def handle(self, *args, verbosity: int, **opts) -> None:
        try:
            run = run_from_options(opts)
            with progress_bar(disable=verbosity < 1) as report:
                run = run_circles(run, report)
        except CirclesError as error:
            raise CommandError(str(error)) from None
        labels = band_labels(run)
        self.stdout.write(f"run {run.pk}: {run.summary['stations']} stations, {run.summary['buildings']} buildings")
        self.stdout.write(f"{'code':<16}{'name':<16}{'households':>11}" + "".join(f"{x:>10}" for x in labels)
                          + f"{'share':>8}")
        for row in coverage_table(run, None, opts["level"]):
            self.stdout.write(f"{row['code'] or '':<16}{(row['name'] or '')[:14]:<16}{row['households']:>11}"
                              + "".join(f"{row[f'band{b}']:>10}" for b in range(1, len(labels) + 1))
                              + f"{row['share'] or 0:>8.1%}")
