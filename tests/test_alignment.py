"""多网合一: the alignment report on planted misalignment of known size, auto-align, and business grids that
follow their base grids through an approved grid edit."""
import json

import numpy as np
import pytest
import shapely
from django.apps import apps
from django.contrib.auth.models import User
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer

from geogrid.alignment.selectors import Layers, alignment_report, majority_assignment, overlaps
from geogrid.alignment.services import AlignmentError, apply_alignment, preview_alignment
from geogrid.areas.models import Area
from geogrid.buildings.models import Building
from geogrid.buildings.services import place_buildings
from geogrid.core.models import Generation
from geogrid.core.services import create_generation
from geogrid.departments.models import BusinessGrid, Department
from geogrid.grids.models import Grid
from tests.demo_facts import STREET

VILLAGE = "522624001299"
X0, Y0 = 575_000.0, 2_981_000.0  # a test village east of the demo town, CGCS2000 / GK CM 108E metres
TO_DEGREES = Transformer.from_crs(4545, 4490, always_xy=True)


def stored(geometry: shapely.Geometry) -> MultiPolygon:
    """A metre geometry in CGCS2000, as GeoDjango stores it."""
    degrees = shapely.transform(geometry, lambda xy: np.column_stack(TO_DEGREES.transform(xy[:, 0], xy[:, 1])))
    geos = GEOSGeometry(shapely.to_wkb(degrees).hex(), srid=4490)
    return geos if isinstance(geos, MultiPolygon) else MultiPolygon(geos, srid=4490)


def column(x0: float, x1: float) -> shapely.Polygon:
    return shapely.box(X0 + x0, Y0, X0 + x1, Y0 + 1000)


@pytest.fixture
def planted(db):
    """A 1 km² village of 4 column-wide base grids (250 m each), and a department whose three grids are:
    ALIGNED = column 0 exactly; SHIFTED = column 1 moved 10 m east; WIDE = columns 2-3 exactly (so SHIFTED
    and WIDE overlap by a 10 m strip and a 10 m gap opens between ALIGNED and SHIFTED)."""
    generation = create_generation("planted misalignment")
    village = Area.objects.create(code=VILLAGE, name="测试村", kind=Area.Kind.VILLAGE,
                                  parent=Area.objects.get(code=STREET), geom=stored(column(0, 1000)))
    for i in range(4):
        Grid.objects.create(code=f"{VILLAGE}{i + 1:03d}", name=f"测试村第{i + 1}网格", community=village,
                            setting=Grid.Setting.RURAL, geom=stored(column(250 * i, 250 * (i + 1))),
                            generation_low=generation)
    department = Department.objects.create(code="TEST-ALIGN", name="测试部门", tier=Department.Tier.TOWN,
                                           area=Area.objects.get(code=STREET))
    for code, x0, x1 in (("ALIGNED", 0, 250), ("SHIFTED", 260, 510), ("WIDE", 500, 1000)):
        BusinessGrid.objects.create(department=department, code=code, name=code, geom=stored(column(x0, x1)),
                                    generation_low=generation)
    # One building in the gap (column 1, held by no drawn grid), one in the overlap (SHIFTED and WIDE).
    for x, households in ((255, 12), (505, 30)):
        point = stored(shapely.Point(X0 + x, Y0 + 500).buffer(1)).point_on_surface
        Building.objects.create(address=f"测试村{x}号", households=households, point=point)
    place_buildings()
    return department


def grid(report, code):
    return next(g for g in report.grids if g.code == code)


def test_the_report_measures_the_planted_misalignment(planted):
    report = alignment_report(planted)
    aligned, shifted, wide = grid(report, "ALIGNED"), grid(report, "SHIFTED"), grid(report, "WIDE")
    assert (aligned.verdict, round(aligned.iou, 6), aligned.assigned) == ("aligned", 1.0, [f"{VILLAGE}001"])
    assert shifted.assigned == [f"{VILLAGE}002"]
    assert shifted.iou == pytest.approx(240 / 260, abs=1e-4)  # 240 m shared out of 260 m, all 1 km long
    assert shifted.symmetric_difference_m2 == pytest.approx(20_000, rel=1e-3)
    assert shifted.hausdorff_m == pytest.approx(10, abs=0.05)
    assert shifted.verdict == "not" and shifted.splits == [f"{VILLAGE}002", f"{VILLAGE}003"]
    assert wide.assigned == [f"{VILLAGE}003", f"{VILLAGE}004"] and wide.verdict == "aligned"
    mine = [p for p in report.problems if set(p.codes) & {"ALIGNED", "SHIFTED", "WIDE"} or p.kind == "gap"]
    overlap = next(p for p in mine if p.kind == "overlap")
    assert overlap.codes == ["SHIFTED", "WIDE"] and overlap.area_m2 == pytest.approx(10_000, rel=1e-3)
    gaps = [p for p in mine if p.kind == "gap"]
    assert len(gaps) == 1 and gaps[0].area_m2 == pytest.approx(10_000, rel=1e-3)
    assert any(p.kind == "base_shared" and p.codes[0] == f"{VILLAGE}003" for p in report.problems)


def test_auto_align_previews_then_applies_a_version_with_every_grid_aligned(planted):
    preview = preview_alignment(department=planted)
    changes = {c.code: c for c in preview.changes}
    assert changes["SHIFTED"].area_after_m2 - changes["SHIFTED"].area_before_m2 == pytest.approx(0, abs=1)
    assert changes["WIDE"].base_grids == [f"{VILLAGE}003", f"{VILLAGE}004"]
    moves = {(m["from"], m["to"]): m["households"] for m in preview.moves}
    assert moves[(None, "SHIFTED")] == 12 and moves[("SHIFTED", "WIDE")] == 30
    before = set(BusinessGrid.objects.current().filter(department=planted).values_list("pk", flat=True))

    apply_alignment(department=planted, user=None)
    after = BusinessGrid.objects.current().filter(department=planted)
    assert not before & set(after.values_list("pk", flat=True))  # new versions; the drawn rows are kept closed
    assert BusinessGrid.objects.filter(pk__in=before, generation_high__isnull=False).count() == 3
    report = alignment_report(planted)
    assert all(grid(report, c).verdict == "aligned" and grid(report, c).iou == pytest.approx(1, abs=1e-9)
               for c in ("ALIGNED", "SHIFTED", "WIDE"))
    assert not [p for p in report.problems if p.kind in ("overlap", "gap") and set(p.codes) & {"SHIFTED", "WIDE"}]
    assert not [p for p in report.problems if p.kind == "gap"]
    wide = after.get(code="WIDE")
    assert wide.source == BusinessGrid.Source.BASE_UNITS
    assert sorted(wide.base_grids.values_list("code", flat=True)) == [f"{VILLAGE}003", f"{VILLAGE}004"]


def test_low_share_base_grids_wait_for_a_decision(planted):
    BusinessGrid.objects.filter(code="WIDE").update(geom=stored(column(500, 880)))  # holds 52% of column 3
    with pytest.raises(AlignmentError, match=f"{VILLAGE}004"):
        apply_alignment(department=planted, user=None)
    apply_alignment(department=planted, user=None, decisions={f"{VILLAGE}004": None})
    wide = BusinessGrid.objects.current().get(department=planted, code="WIDE")
    assert list(wide.base_grids.values_list("code", flat=True)) == [f"{VILLAGE}003"]


def test_aligned_business_grids_follow_an_approved_split(planted, client):
    apply_alignment(department=planted, user=None)
    from geogrid.adjustments.services import Draft, apply_operation, decide, submit
    from geogrid.adjustments.selectors import draft_of

    village = Area.objects.get(code=VILLAGE)
    partition, properties = draft_of(village)
    line = {"type": "LineString", "coordinates": [list(TO_DEGREES.transform(X0 + 900, Y0 - 10)),
                                                  list(TO_DEGREES.transform(X0 + 900, Y0 + 1010))]}
    result = apply_operation(community=village, draft=Draft(partition, properties),
                             operation={"op": "split", "grid": f"{VILLAGE}004", "line": line})
    admin = User.objects.get(username="admin")
    request = submit(user=User.objects.get(username="street"), community=village,
                     draft=Draft.from_geojson(result["draft"]), base={c: p["grid_id"] for c, p in properties.items()},
                     reason="拆分第4网格")
    decide(user=admin, request=request, approve=True)
    wide = BusinessGrid.objects.current().get(department=planted, code="WIDE")
    assert sorted(wide.base_grids.values_list("code", flat=True)) == [f"{VILLAGE}003", f"{VILLAGE}004",
                                                                     f"{VILLAGE}005"]
    assert grid(alignment_report(planted), "WIDE").iou == pytest.approx(1, abs=1e-9)
    client.force_login(admin)
    followed = client.get("/api/v1/alignment/TEST-ALIGN").json()["followed_changes"]
    assert [(c["code"], c["area_before_m2"], c["area_after_m2"]) for c in followed] == [
        ("WIDE", pytest.approx(500_000, rel=1e-3), pytest.approx(500_000, rel=1e-3))]
    assert "拆分第4网格" in followed[0]["description"]


def test_command_and_api(planted, client, tmp_path, capsys):
    call_command("alignment_report", "--department", "TEST-ALIGN", "--format", "xlsx", "-o", str(tmp_path / "r.xlsx"))
    assert "3 business grids" in capsys.readouterr().out and (tmp_path / "r.xlsx").stat().st_size > 0
    call_command("alignment_report", "--department", "TEST-ALIGN", "--format", "json")
    assert json.loads(capsys.readouterr().out)["summary"]["not"] == 1
    client.force_login(User.objects.get(username="street"))
    body = client.get("/api/v1/alignment/TEST-ALIGN", {"format": "geojson"}).json()
    assert {f["properties"]["type"] for f in body["features"]} >= {"business_grid", "disagreement", "overlap", "gap"}
    verdicts = {f["properties"]["code"]: f["properties"]["verdict"] for f in body["features"]
                if f["properties"]["type"] == "business_grid"}
    assert verdicts == {"ALIGNED": "aligned", "SHIFTED": "not", "WIDE": "aligned"}
    client.force_login(User.objects.get(username="police"))  # a department user sees only their own
    assert client.get("/api/v1/alignment/TEST-ALIGN").status_code == 404


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 6), st.integers(2, 6), st.integers(1, 5), st.integers(0, 2**31))
def test_after_auto_align_every_business_grid_is_the_union_of_its_base_grids(cols, rows, k, seed):
    """Random base coverages (jittered lattices) and random hand-drawn layers (random groups of base grids,
    buffered by a few metres either way): the assignment leaves no gap and no overlap in the covered area."""
    rng = np.random.default_rng(seed)
    xs = np.cumsum(np.r_[0, rng.uniform(50, 150, cols)])
    ys = np.cumsum(np.r_[0, rng.uniform(50, 150, rows)])
    base = np.array([shapely.box(xs[i], ys[j], xs[i + 1], ys[j + 1]) for i in range(cols) for j in range(rows)])
    labels = rng.integers(0, k, len(base))
    drawn = [shapely.union_all(base[labels == g]).buffer(rng.uniform(-8, 8)) for g in np.unique(labels)]
    drawn = [d for d in drawn if not d.is_empty]
    layers = Layers([f"B{i}" for i in range(len(drawn))], [""] * len(drawn), np.array(drawn, dtype=object),
                    [f"G{i}" for i in range(len(base))], base)
    b_idx, g_idx, areas = overlaps(layers)
    assignment = majority_assignment(layers, b_idx, g_idx, areas, 0.02)
    aligned = [shapely.coverage_union_all(base[[g for g, b in assignment.items() if b == i]])
               for i in range(len(drawn)) if i in assignment.values()]
    total = sum(a.area for a in aligned)
    assert shapely.union_all(aligned).area == pytest.approx(total)  # no overlap
    assert total == pytest.approx(sum(base[g].area for g in assignment))  # no gap inside what is covered


def test_align_apply_writes_nothing_when_already_aligned(planted):
    assert apply_alignment(department=planted, user=None) is not None
    generations = Generation.objects.count()
    audits = [apps.get_model("departments", name).objects.count() for name in ("BusinessGridAudit",
                                                                                 "BusinessGridBaseGridAudit")]
    assert apply_alignment(department=planted, user=None) is None  # moved here from the onboarding test
    assert Generation.objects.count() == generations
    assert [apps.get_model("departments", name).objects.count() for name in ("BusinessGridAudit",
                                                                             "BusinessGridBaseGridAudit")] == audits
