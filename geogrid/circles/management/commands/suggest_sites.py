"""`manage.py suggest_sites --sites K | --target SHARE [run options]`: where K new stations cover most
uncovered households (MCLP, with the greedy answer beside it), or the fewest new stations that bring the
household-weighted coverage to SHARE (LSCP). Existing stations stay."""
from django.core.management.base import BaseCommand, CommandError

from geogrid.circles.management.common import add_run_arguments, progress_bar, run_from_options
from geogrid.circles.services import CirclesError, run_circles


class Command(BaseCommand):
    help = "Suggest new service-station sites: maximal covering (MCLP) or least sites for a target share (LSCP)."

    def add_arguments(self, parser) -> None:
        add_run_arguments(parser)
        parser.add_argument("--sites", type=int, default=0, help="new stations to place (MCLP)")
        parser.add_argument("--target", type=float, help="household share to reach, 0-1 (LSCP)")

    def handle(self, *args, verbosity: int, **opts) -> None:
        if not opts["sites"] and not opts["target"]:
            raise CommandError("请给出 --sites 或 --target / give --sites or --target")
        try:
            run = run_from_options(opts, new_sites=opts["sites"], target_share=opts["target"])
            with progress_bar(disable=verbosity < 1) as report:
                run = run_circles(run, report)
        except CirclesError as error:
            raise CommandError(str(error)) from None
        siting = run.summary["siting"]
        self.stdout.write(f"run {run.pk}: {siting['candidates']} candidate sites, {siting['model_rows']} demand rows; "
                          f"covered now {siting['covered_before']} of {run.summary['households']} households "
                          f"({siting['before']:.1%})")
        for method, label in (("mclp", "MCLP"), ("greedy", "greedy"), ("lscp", "LSCP"), ("greedy_target", "greedy")):
            if method not in siting:
                continue
            result = siting[method]
            self.stdout.write(f"{label}: {result['sites']} sites +{result['covered']} households"
                              f" -> {result['after']:.1%}"
                              f" in {result['seconds']:.2f} s{'' if result['optimal'] else ' (not proven optimal)'}")
            for note in result["notes"]:
                self.stdout.write(self.style.WARNING(f"  {note}"))
            for site in run.suggestions.filter(method=method):
                self.stdout.write(f"  {site.rank}. ({site.point.x:.6f}, {site.point.y:.6f}) +{site.gain} households")
        if note := siting.get("lscp_note"):
            self.stdout.write(note)
