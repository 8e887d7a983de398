"""多网合一 API input and output (issue 12): `decisions` must be an object, and a small business grid that wins
no base grid gets a verdict with its reason instead of an infinite Hausdorff distance (HTTP 500 before)."""
import json
import math

import pytest
import shapely
from django.contrib.auth.models import User
from django.core.management import call_command
from openpyxl import load_workbook

from geogrid.alignment.selectors import UNMATCHED, alignment_report
from geogrid.departments.models import BusinessGrid
from tests.test_alignment import X0, Y0, grid, planted, stored  # noqa: F401 (planted is a fixture)

APPLY, PREVIEW = "/api/v1/alignment/TEST-ALIGN/apply", "/api/v1/alignment/TEST-ALIGN/preview"


def strict_json(content: bytes):
    """JSON as a strict parser reads it: NaN, Infinity and -Infinity are refused."""
    def refuse(constant: str):
        raise AssertionError(f"{constant} in JSON")
    return json.loads(content, parse_constant=refuse)


@pytest.fixture
def tiny(planted):  # noqa: F811
    """A 5 m square business grid inside base grid 1: it holds 0.01 % of it, so it wins no base grid."""
    BusinessGrid.objects.create(department=planted, code="TINY", name="小网格",
                                geom=stored(shapely.box(X0 + 100, Y0 + 100, X0 + 105, Y0 + 105)),
                                generation_low=BusinessGrid.objects.current().filter(department=planted)
                                .first().generation_low)
    return planted


def test_a_business_grid_matching_no_base_grid_gets_a_verdict_with_its_reason(tiny):
    tiny_grid = grid(alignment_report(tiny), "TINY")
    assert tiny_grid.assigned == [] and tiny_grid.hausdorff_m is None
    assert tiny_grid.verdict == "not" and tiny_grid.reason == UNMATCHED
    assert grid(alignment_report(tiny), "ALIGNED").reason is None


@pytest.mark.parametrize("format", ["json", "geojson"])
def test_the_report_with_an_unmatched_grid_is_200_and_finite(client, tiny, format):
    client.force_login(User.objects.get(username="street"))
    response = client.get("/api/v1/alignment/TEST-ALIGN", {"format": format})
    assert response.status_code == 200, response.content
    body = strict_json(response.content)
    rows = body["grids"] if format == "json" else [f["properties"] for f in body["features"]
                                                   if f["properties"]["type"] == "business_grid"]
    row = next(r for r in rows if r["code"] == "TINY")
    assert row["hausdorff_m"] is None and row["verdict"] == "not" and "未对应任何基础网格" in row["reason"]


def test_the_workbook_with_an_unmatched_grid_holds_no_inf(tiny, tmp_path):
    path = tmp_path / "report.xlsx"
    call_command("alignment_report", "--department", "TEST-ALIGN", "--format", "xlsx", "-o", str(path))
    sheet = load_workbook(path).worksheets[0]
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert not [v for v in values if isinstance(v, float) and not math.isfinite(v)]
    assert not [v for v in values if isinstance(v, str) and v.lower() in ("inf", "nan")]
    tiny_row = next(row for row in sheet.iter_rows(values_only=True) if row[0] == "TINY")
    assert tiny_row[7] is None and "未对应任何基础网格" in tiny_row[-1]


@pytest.mark.parametrize("url", [APPLY, PREVIEW])
@pytest.mark.parametrize("decisions, code", [([1, 2], "not_a_dict"), ("x", "not_a_dict"),
                                             ({"B": 1}, "not_a_string"), ({"B": "a\x00"}, "null_characters_not_allowed")])
def test_decisions_that_are_not_an_object_of_codes_are_400(client, planted, url, decisions, code):  # noqa: F811
    client.force_login(User.objects.get(username="street"))
    versions = BusinessGrid.objects.filter(department=planted).count()
    response = client.post(url, {"decisions": decisions}, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == code and response.json()["field"].startswith("decisions")
    assert BusinessGrid.objects.filter(department=planted).count() == versions


def test_accept_low_share_is_a_strict_boolean(client, planted):  # noqa: F811
    client.force_login(User.objects.get(username="street"))
    versions = BusinessGrid.objects.filter(department=planted).count()
    response = client.post(APPLY, {"accept_low_share": "maybe"}, content_type="application/json")
    assert response.status_code == 400 and response.json()["field"] == "accept_low_share"
    assert BusinessGrid.objects.filter(department=planted).count() == versions


def test_an_undecided_base_grid_and_an_unknown_business_grid_are_400_with_codes(client, planted):  # noqa: F811
    BusinessGrid.objects.filter(code="WIDE").update(geom=stored(shapely.box(X0 + 500, Y0, X0 + 880, Y0 + 1000)))
    client.force_login(User.objects.get(username="street"))
    versions = BusinessGrid.objects.filter(department=planted).count()
    undecided = client.post(APPLY, {"decisions": {}}, content_type="application/json")
    assert undecided.status_code == 400 and undecided.json()["code"] == "undecided"
    unknown = client.post(PREVIEW, {"decisions": {"X": "NOPE"}}, content_type="application/json")
    assert unknown.status_code == 400 and unknown.json()["code"] == "unknown_business_grid"
    assert BusinessGrid.objects.filter(department=planted).count() == versions
    preview = client.post(PREVIEW, {"decisions": {"522624001299004": None}}, content_type="application/json")
    assert preview.status_code == 200 and "522624001299004" not in preview.json()["assignment"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/alignment/%00", "/api/v1/alignment/%00/preview"])
def test_a_nul_byte_in_the_department_code_is_not_found(client, url):
    client.force_login(User.objects.get(username="street"))
    assert client.get(url).status_code == 404


def test_the_align_command_previews_then_applies(planted, capsys):  # noqa: F811
    versions = BusinessGrid.objects.filter(department=planted).count()
    call_command("align_business_grids", "--department", "TEST-ALIGN")
    assert "WIDE" in capsys.readouterr().out
    assert BusinessGrid.objects.filter(department=planted).count() == versions
    call_command("align_business_grids", "--department", "TEST-ALIGN", "--apply")
    assert "applied as generation" in capsys.readouterr().out
    assert BusinessGrid.objects.current().filter(department=planted, source=BusinessGrid.Source.BASE_UNITS).count() == 3
