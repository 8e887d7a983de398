"""The database refuses in Chinese with a stable code (geogrid/core/refusals.py): the grid rules of the containment
trigger, the append-only audit tables and the never-deleted tickets, read back as the app's `{code, message}`."""
import re

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.db import DatabaseError, IntegrityError, connection, transaction

from geogrid.areas.models import Area
from geogrid.core import refusals
from geogrid.core.api import exception_handler
from geogrid.core.refusals import RULES, refusal_of, rule_refusal
from geogrid.core.tolerances import SLIVER_AREA_M2, SLIVER_WIDTH_M
from geogrid.coverage.models import SizingRules
from geogrid.events.models import Event, EventTransition
from geogrid.grids.models import Grid

pytestmark = pytest.mark.django_db

CHECK_VIOLATION = "23514"
RAISE_EXCEPTION = "P0001"


def refused(sql: str, params: list | tuple = ()) -> DatabaseError:
    """The error one statement fails with (in a savepoint); fails the test if it goes through."""
    with pytest.raises(DatabaseError) as caught, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    return caught.value


def insert_grid(template: Grid, **columns) -> DatabaseError:
    """INSERT a copy of a stored grid, straight in SQL, with some columns changed (values or SQL expressions)."""
    names = [f.column for f in Grid._meta.concrete_fields if f.column != "id"]
    values = {name: connection.ops.quote_name(name) for name in names} | {"code": "code || '999'"} | columns
    return refused(f"INSERT INTO grids_grid ({', '.join(names)}) SELECT {', '.join(values[n] for n in names)} "
                   "FROM grids_grid WHERE id = %s", [template.pk])


def sqlstate(error: BaseException) -> str:
    return error.__cause__.sqlstate


def current(**filters) -> Grid:
    return Grid.objects.current().filter(**filters).select_related("community", "parent").order_by("code").first()


# ---- each grid rule, inserted directly in SQL ----------------------------------------------------------------

def test_a_grid_outside_its_community_is_refused_with_the_overhang_in_chinese():
    grid = current(level=1)
    error = insert_grid(grid, geom="ST_Multi(ST_Translate(geom, 0.05, 0))")
    refusal = rule_refusal(error)
    assert isinstance(error, IntegrityError) and sqlstate(error) == CHECK_VIOLATION
    assert refusal.code == "grid_outside_community" and refusal.status == 400
    match = re.fullmatch(rf"网格 {grid.code}999 超出所属社区/村 {grid.community.name}（{grid.community.code}）"
                         r"([\d.]+) m²", refusal.message)
    assert match and float(match[1]) > 1000, refusal.message


def test_a_grid_of_a_street_is_refused():
    grid = current(level=1)
    street = grid.community.parent
    assert street.kind in Area.STREET_KINDS
    refusal = rule_refusal(insert_grid(grid, community_id=str(street.pk)))
    assert refusal.code == "grid_not_in_community_area"
    assert refusal.message == f"网格 {grid.code}999 所属区域 {street.name}（{street.code}）不是社区或村"


def test_a_grid_whose_parent_is_not_one_level_up_is_refused():
    child = current(level=2)  # copied as a level-3 grid whose parent is its own level-1 parent
    error = insert_grid(child, level="3")
    refusal = rule_refusal(error)
    assert sqlstate(error) == CHECK_VIOLATION and refusal.code == "grid_parent_level"
    assert refusal.message == f"网格 {child.code}999 为 3 级，其上级网格 {child.parent.code} 为 1 级（应为 2 级）"


def test_a_grid_whose_parent_is_in_another_community_is_refused():
    child = current(level=2)
    elsewhere = Grid.objects.current().filter(level=1).exclude(community=child.community).order_by("code").first()
    refusal = rule_refusal(insert_grid(child, parent_id=str(elsewhere.pk)))
    assert refusal.code == "grid_parent_other_community"
    assert refusal.message == f"网格 {child.code}999 与其上级网格 {elsewhere.code} 不属于同一社区/村"


def test_a_grid_outside_its_parent_is_refused_with_the_overhang():
    child = current(level=2)
    other = Grid.objects.current().filter(level=1, community=child.community).exclude(pk=child.parent_id) \
        .order_by("code").first()
    assert other is not None
    refusal = rule_refusal(insert_grid(child, geom=f"(SELECT geom FROM grids_grid WHERE id = {other.pk})"))
    assert refusal.code == "grid_outside_parent"
    assert re.fullmatch(rf"网格 {child.code}999 超出上级网格 {child.parent.code} [\d.]+ m²", refusal.message)


def test_the_database_and_the_coverage_rules_share_one_sliver_tolerance():
    with connection.cursor() as cursor:
        cursor.execute("SELECT area_m2, width_m FROM grids_containment_tolerance()")
        assert cursor.fetchone() == (SLIVER_AREA_M2, SLIVER_WIDTH_M)
    default = SizingRules.objects.get(county=None)  # as the migrations leave it
    assert (default.sliver_tolerance_m2, default.sliver_width_m) == (SLIVER_AREA_M2, SLIVER_WIDTH_M)
    assert (SizingRules().sliver_tolerance_m2, SizingRules().sliver_width_m) == (SLIVER_AREA_M2, SLIVER_WIDTH_M)


def test_an_overhang_the_database_refuses_is_no_sliver_to_the_coverage_check():
    """A 2-3 m² bump out of a 100 m square (between the 1 m² and 5 m² the two sides once had) is refused, and
    its size is above the default rule set's sliver limits, so the coverage check would call it an error."""
    square = "ST_MakeEnvelope(106.0, 26.0, 106.001, 26.001, 4490)"
    bump = "ST_MakeEnvelope(106.001, 26.0005, 106.001015, 26.000515, 4490)"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT ST_Area({bump}::geography), ST_Perimeter({bump}::geography), "
                       f"grids_overhang_refused(ST_Union({square}, {bump}), {square})")
        area, perimeter, refused_m2 = cursor.fetchone()
    assert 1 < area < 5 and refused_m2 == pytest.approx(area, rel=0.01)
    rules = SizingRules.objects.get(county=None)
    assert area >= rules.sliver_tolerance_m2 and 2 * area / perimeter >= rules.sliver_width_m


# ---- the guards ------------------------------------------------------------------------------------------------

def test_an_audit_row_can_be_neither_updated_nor_deleted_and_says_so_in_chinese():
    row = "(SELECT min(pgh_id) FROM grids_gridaudit)"
    for sql in (f"UPDATE grids_gridaudit SET name = '改写' WHERE pgh_id = {row}",
                f"DELETE FROM grids_gridaudit WHERE pgh_id = {row}"):
        error = refused(sql)
        refusal = rule_refusal(error)
        assert sqlstate(error) == RAISE_EXCEPTION and (refusal.code, refusal.status) == ("audit_append_only", 409)
        assert refusal.message == "网格（审计记录）只可追加，不可修改或删除（表 grids_gridaudit）"


def test_a_ticket_cannot_be_deleted_nor_a_step_edited_and_each_says_so_in_chinese():
    event = Event.objects.filter(transitions__isnull=False).order_by("pk").first()
    deleted = refused("DELETE FROM events_event WHERE id = %s", [event.pk])  # the ORM stops first (PROTECT)
    assert sqlstate(deleted) == RAISE_EXCEPTION
    assert rule_refusal(deleted) == refusals.Refusal("delete_protected", "事件不可删除（表 events_event）", 409)
    with pytest.raises(DatabaseError) as edited, transaction.atomic():
        EventTransition.objects.filter(event=event).update(note="改写")
    assert rule_refusal(edited.value) == refusals.Refusal(
        "update_protected", "流转记录不可修改（表 events_eventtransition）", 409)
    assert Event.objects.filter(pk=event.pk).exists()


def test_the_api_answers_a_trigger_refusal_with_its_code_and_status_not_500():
    error = refused("DELETE FROM events_event WHERE id = (SELECT min(id) FROM events_event)")
    response = exception_handler(error, {})
    assert response.status_code == 409
    assert response.data == {"code": "delete_protected", "message": "事件不可删除（表 events_event）", "field": None}


def test_other_database_errors_get_a_chinese_message_naming_the_constraint():
    grid = current(level=1)
    refusal = refusal_of(insert_grid(grid, code="code"), code="import_refused")
    assert refusal == refusals.Refusal("import_refused", "与已有记录重复（grid_code_unique_current）")
    assert rule_refusal(insert_grid(grid, code="code")) is None


# ---- SQL and Python know the same codes ------------------------------------------------------------------------

RAISE = re.compile(r"RAISE\s+EXCEPTION\s+'((?:[^']|'')*)'[^;]*?;", re.IGNORECASE)
DETAIL = re.compile(r"DETAIL\s*=\s*'(\w+)'")


def trigger_function_sources() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT p.proname, p.prosrc FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
                       "WHERE NOT t.tgisinternal")
        return dict(cursor.fetchall())


def test_every_trigger_raises_a_code_python_knows_in_its_words_and_every_code_is_raised():
    raised: set[str] = set()
    for function, source in trigger_function_sources().items():
        for statement in RAISE.finditer(source):
            detail = DETAIL.search(statement[0])
            assert detail and detail[1] in RULES, f"{function}: {statement[0]}"
            assert statement[1].replace("''", "'") == RULES[detail[1]].sql_format(), function
            raised.add(detail[1])
    assert raised == set(RULES)
    assert not any("pgtrigger: Cannot" in source for source in trigger_function_sources().values())



def test_the_admin_form_shows_the_refusal_in_chinese_instead_of_a_server_error():
    from django.forms.models import model_to_dict

    from geogrid.grids.admin import GridForm

    grid = current(level=1)
    shifted = MultiPolygon([Polygon([(x + 0.05, y) for x, y in poly[0]]) for poly in grid.geom], srid=4490)
    data = {key: value for key, value in model_to_dict(grid).items() if value is not None} | {"geom": shifted.ewkt}
    before = grid.geom.clone()
    form = GridForm(data=data, instance=grid)
    assert not form.is_valid()
    assert form.non_field_errors()[0].startswith(
        f"数据库校验未通过：网格 {grid.code} 超出所属社区/村 {grid.community.name}（{grid.community.code}）")
    assert Grid.objects.get(pk=grid.pk).geom.equals_exact(before)
