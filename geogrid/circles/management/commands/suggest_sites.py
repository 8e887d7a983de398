"""`manage.py suggest_sites --sites K | --target SHARE [--candidates FILE [--crs CRS]] [run options]`: where K
new stations cover most uncovered households (MCLP, with the greedy answer beside it), or the fewest new
stations that bring the household-weighted coverage to SHARE (LSCP). Existing stations stay.

Candidates are network vertices near homes, or the points of FILE (any format the importer reads); the file
is read and checked before the run is created, so a bad file changes nothing."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from geogrid.circles.candidates import CandidateError, candidates_from_file
from geogrid.circles.management.common import add_run_arguments, progress_bar, run_from_options
from geogrid.circles.services import CirclesError, run_circles


class Command(BaseCommand):
    help = "Suggest new service-station sites: maximal covering (MCLP) or least sites for a target share (LSCP)."

    def add_arguments(self, parser) -> None:
        add_run_arguments(parser)
        parser.add_argument("--sites", type=int, default=0, help="new stations to place (MCLP)")
        parser.add_argument("--target", type=float, help="household share to reach, 0-1 (LSCP)")
        parser.add_argument("--candidates", type=Path,
                            help="candidate sites: GeoJSON, GeoPackage, KML, shapefile (.zip), CSV/XLSX with lon/lat "
                                 "columns (default: network vertices near homes)")
        parser.add_argument("--crs", help="the candidate file's CRS when it declares none: EPSG:4545, cgcs2000, wgs84, "
                                          "gcj02, bd09")
        parser.add_argument("--layer", help="the layer of a candidate GeoPackage or KML with several")
        parser.add_argument("--encoding", help="attribute encoding of a candidate CSV or shapefile, e.g. gbk")

    def handle(self, *args, verbosity: int, **opts) -> None:
        if not opts["sites"] and not opts["target"]:
            raise CommandError("请给出 --sites 或 --target / give --sites or --target")
        given = {}
        if opts["candidates"]:
            try:
                given = candidates_from_file(opts["candidates"], opts["crs"], layer=opts["layer"],
                                             encoding=opts["encoding"]).run_fields()
            except CandidateError as error:
                raise CommandError(f"{opts['candidates'].name}: {error}") from None
        elif opts["crs"]:
            raise CommandError("--crs 只用于 --candidates 文件 / --crs applies to a --candidates file")
        try:
            run = run_from_options(opts, new_sites=opts["sites"], target_share=opts["target"], **given)
            with progress_bar(disable=verbosity < 1) as report:
                run = run_circles(run, report)
        except CirclesError as error:
            raise CommandError(str(error)) from None
        siting = run.summary["siting"]
        self.stdout.write(f"run {run.pk}: {siting['candidates']} {siting['candidate_source']} candidate sites, "
                          f"{siting['model_rows']} demand rows; "
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
                self.stdout.write(f"  {site.rank}. {_where(run, site)} +{site.gain} households")
        for note in siting.get("candidate_notes", []):
            self.stdout.write(self.style.WARNING(note))
        if note := siting.get("lscp_note"):
            self.stdout.write(note)


def _where(run, site) -> str:
    """A given candidate by its number, label and coordinates as given; a vertex by its position."""
    if site.candidate is None:
        return f"({site.point.x:.6f}, {site.point.y:.6f})"
    x, y = run.candidates[site.candidate - 1]["given"]
    return (f"candidate {site.candidate} \"{site.candidate_label}\" ({x:.10g}, {y:.10g} {run.candidate_crs}; "
            f"{site.snap_m:.0f} m from the network)")
