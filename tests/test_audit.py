"""Every change to a tracked model lands in its audit trail, with who made it; derived fields do not."""
import pghistory
import pytest
from django.contrib.auth.models import User

from geogrid.buildings.models import Building
from geogrid.buildings.services import refresh_grid_counts
from geogrid.grids.models import Grid
from geogrid.staff.models import StaffMember

pytestmark = pytest.mark.django_db


def test_an_edit_is_recorded_with_the_user_and_the_new_value():
    grid = Grid.objects.current().order_by("code").first()
    clerk = User.objects.get(username="street")
    with pghistory.context(user=clerk.pk, url="/admin/grids/grid/"):
        grid.name = "更名后的网格"
        grid.save()
    last = grid.audit_trail.order_by("-pgh_id").first()
    assert (last.pgh_label, last.name) == ("update", "更名后的网格")
    assert last.pgh_context.metadata["user"] == clerk.pk


def test_a_deletion_keeps_the_deleted_row_in_the_trail():
    building = Building.objects.order_by("id").first()
    address, pk = building.address, building.pk
    building.delete()
    trail = Building.audit_trail.rel.related_model.objects.filter(pgh_obj_id=pk).order_by("pgh_id")
    assert [e.pgh_label for e in trail][-1] == "delete"
    assert trail.last().address == address


def test_phone_changes_are_audited_but_recomputed_counts_are_not():
    member = StaffMember.objects.order_by("id").first()
    member.phone = "13900000000"
    member.save()
    assert member.audit_trail.order_by("-pgh_id").first().phone == "13900000000"
    before = Grid.audit_trail.rel.related_model.objects.count()
    refresh_grid_counts()
    assert Grid.audit_trail.rel.related_model.objects.count() == before


def test_only_superusers_can_read_the_trail_in_the_admin(client):
    client.force_login(User.objects.get(username="street"))
    assert client.get("/admin/pghistory/events/").status_code == 403
    client.force_login(User.objects.get(username="admin"))
    assert client.get("/admin/pghistory/events/").status_code == 200


def test_audit_helpers_open_no_subtransaction_per_row():
    """Large imports stay linear: the per-row helpers must not use EXCEPTION blocks (see core/audit.py)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT proname, prosrc FROM pg_proc WHERE proname IN "
                       "('_pgh_attach_context', '_pgtrigger_should_ignore')")
        sources = dict(cursor.fetchall())
    assert set(sources) == {"_pgh_attach_context", "_pgtrigger_should_ignore"}
    assert not any("EXCEPTION" in src.upper() for src in sources.values())


# ---- the app role cannot tamper with the trail (README "Database roles") -----------------------------------
# `app_db` connects as the app role to the committed test database (the demo town's audit rows).

INSUFFICIENT_PRIVILEGE = "42501"


def refused(app_db, sql: str, params: tuple = ()) -> str | None:
    """Run one statement as the app role in a savepoint; the SQLSTATE it failed with, None if it went through."""
    import psycopg

    try:
        with app_db.transaction():
            app_db.execute(sql, params)
    except psycopg.Error as error:
        return error.sqlstate
    return None


def first_grid_audit_row(app_db) -> tuple[int, str]:
    return app_db.execute("SELECT pgh_id, name FROM grids_gridaudit ORDER BY pgh_id LIMIT 1").fetchone()


def trigger_names(app_db, table: str) -> str:
    """Every trigger on the table, as `pgtrigger.ignore` takes them."""
    names = app_db.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                           (table,)).fetchall()
    return "{" + ",".join(name for (name,) in names) + "}"


def test_the_app_role_can_neither_update_nor_delete_an_audit_row(app_db):
    pgh_id, name = first_grid_audit_row(app_db)
    assert refused(app_db, "UPDATE grids_gridaudit SET name = 'forged' WHERE pgh_id = %s", (pgh_id,)) \
        == INSUFFICIENT_PRIVILEGE
    assert refused(app_db, "DELETE FROM grids_gridaudit WHERE pgh_id = %s", (pgh_id,)) == INSUFFICIENT_PRIVILEGE
    assert first_grid_audit_row(app_db) == (pgh_id, name)


def test_pgtrigger_ignore_lifts_no_trigger_for_the_app_role(app_db):
    """Anyone may set `pgtrigger.ignore`: for the app role it changes nothing (core/audit.py)."""
    pgh_id, name = first_grid_audit_row(app_db)
    app_db.execute("SELECT set_config('pgtrigger.ignore', %s, true)", (trigger_names(app_db, "grids_gridaudit"),))
    assert refused(app_db, "DELETE FROM grids_gridaudit WHERE pgh_id = %s", (pgh_id,)) == INSUFFICIENT_PRIVILEGE
    assert first_grid_audit_row(app_db) == (pgh_id, name)
    # The tracking triggers still write the trail ...
    app_db.execute("SELECT set_config('pgtrigger.ignore', %s, true)", (trigger_names(app_db, "grids_grid"),))
    grid_id = app_db.execute("SELECT id FROM grids_grid ORDER BY id LIMIT 1").fetchone()[0]
    count = "SELECT count(*) FROM grids_gridaudit WHERE pgh_obj_id = %s"
    before = app_db.execute(count, (grid_id,)).fetchone()[0]
    app_db.execute("UPDATE grids_grid SET name = 'silently renamed' WHERE id = %s", (grid_id,))
    assert app_db.execute(count, (grid_id,)).fetchone()[0] == before + 1
    # ... and the append-only ticket history still refuses deletes.
    app_db.execute("SELECT set_config('pgtrigger.ignore', %s, true)",
                   (trigger_names(app_db, "events_eventtransition"),))
    transitions = "SELECT count(*) FROM events_eventtransition"
    before = app_db.execute(transitions).fetchone()[0]
    assert before > 0
    assert refused(app_db, "DELETE FROM events_eventtransition") is not None
    assert app_db.execute(transitions).fetchone()[0] == before


def test_the_app_role_cannot_truncate(app_db):
    rows = app_db.execute("SELECT count(*) FROM grids_gridaudit").fetchone()[0]
    for table in ("grids_gridaudit", "pghistory_context", "grids_grid"):  # TRUNCATE fires no row triggers
        assert refused(app_db, f"TRUNCATE {table} CASCADE") == INSUFFICIENT_PRIVILEGE, table
    assert app_db.execute("SELECT count(*) FROM grids_gridaudit").fetchone()[0] == rows


def test_the_app_role_cannot_switch_triggers_off(app_db):
    pgh_id, name = first_grid_audit_row(app_db)
    assert refused(app_db, "SET session_replication_role = replica") == INSUFFICIENT_PRIVILEGE
    assert refused(app_db, "ALTER TABLE grids_gridaudit DISABLE TRIGGER ALL") == INSUFFICIENT_PRIVILEGE
    assert refused(app_db, "DROP TABLE grids_gridaudit") == INSUFFICIENT_PRIVILEGE
    assert refused(app_db, 'DROP FUNCTION "public"._pgtrigger_should_ignore(name)') == INSUFFICIENT_PRIVILEGE
    # A temporary table of the same name would take the triggers' inserts (they name tables unqualified).
    assert refused(app_db, "CREATE TEMPORARY TABLE grids_gridaudit (LIKE grids_grid)") == INSUFFICIENT_PRIVILEGE
    assert first_grid_audit_row(app_db) == (pgh_id, name)


def test_the_app_role_cannot_rewrite_who_made_a_change(app_db):
    """Context rows are written once: the app role may add one, never change or remove one."""
    import json
    import uuid

    context_id = str(uuid.uuid4())

    def attach(metadata: dict) -> str:
        return str(app_db.execute(
            "SELECT set_config('pghistory.context_id', %s, true), "
            "set_config('pghistory.context_metadata', %s, true), _pgh_attach_context()",
            (context_id, json.dumps(metadata))).fetchone()[2])

    assert attach({"user": 1, "url": "/admin/"}) == context_id
    assert refused(app_db, "UPDATE pghistory_context SET metadata = '{\"user\": 2}' WHERE id = %s",
                   (context_id,)) == INSUFFICIENT_PRIVILEGE
    assert refused(app_db, "DELETE FROM pghistory_context WHERE id = %s", (context_id,)) == INSUFFICIENT_PRIVILEGE
    # Through pghistory's own function: a changed metadata gets a row of its own.
    assert attach({"user": 2, "url": "/admin/"}) != context_id
    stored = app_db.execute("SELECT metadata FROM pghistory_context WHERE id = %s", (context_id,)).fetchone()[0]
    assert stored == {"user": 1, "url": "/admin/"}


def test_metadata_added_inside_a_context_goes_to_a_second_context_row():
    clerk = User.objects.get(username="street")
    grid = Grid.objects.current().order_by("code").first()
    with pghistory.context(user=clerk.pk):
        grid.name = "第一次"
        grid.save()
        with pghistory.context(reason="renumber"):
            grid.name = "第二次"
            grid.save()
    first, second = grid.audit_trail.order_by("-pgh_id")[:2][::-1]
    assert first.pgh_context.metadata == {"user": clerk.pk}
    assert second.pgh_context.metadata == {"user": clerk.pk, "reason": "renumber"}


# ---- who may log in, with which rights; links; import and export logs -------------------------------------

def audit_labels(model) -> list[str]:
    return list(model.objects.order_by("pgh_id").values_list("pgh_label", flat=True))


def test_accounts_rights_tokens_links_and_logs_are_audited():
    from django.contrib.auth.models import Group, Permission
    from rest_framework.authtoken.models import Token

    from geogrid.accounts.models import (GroupPermissionAudit, TokenAudit, UserAudit, UserGroupAudit,
                                         UserPermissionAudit)
    from geogrid.departments.models import BusinessGrid, BusinessGridBaseGridAudit
    from geogrid.exports.models import ExportRecord, ExportRecordAudit
    from geogrid.imports.models import ImportJob, ImportJobAudit
    from geogrid.staff.models import StaffMemberGridAudit

    before = {model: model.objects.count() for model in (UserAudit, UserGroupAudit, UserPermissionAudit,
                                                         GroupPermissionAudit, TokenAudit, StaffMemberGridAudit,
                                                         BusinessGridBaseGridAudit, ImportJobAudit,
                                                         ExportRecordAudit)}
    permission = Permission.objects.get(codename="view_grid")
    group = Group.objects.create(name="审计测试组")
    user = User.objects.create_user("audited", password="first-Pass-123")
    user.set_password("second-Pass-456")
    user.save()
    User.objects.filter(pk=user.pk).update(last_login="2026-01-01T08:00:00+08:00")  # logging in is no change
    user.groups.add(group)
    user.user_permissions.add(permission)
    group.permissions.add(permission)
    user.groups.remove(group)
    token = Token.objects.create(user=user)
    token.delete()
    member = StaffMember.objects.order_by("id").first()
    grid = Grid.objects.current().exclude(staff=member).order_by("id").first()
    member.grids.add(grid)
    business_grid = BusinessGrid.objects.order_by("id").first()
    business_grid.base_grids.add(grid)
    job = ImportJob.objects.create(user=user, file_name="a.geojson", target="buildings")
    job.progress = 50
    job.save()
    job.status = ImportJob.Status.SUCCEEDED
    job.save()
    ExportRecord.objects.create(user=user, target="grids", format="geojson", crs="EPSG:4490", count=3)

    added = {model: audit_labels(model)[before[model]:] for model in before}
    assert added[UserAudit] == ["insert", "password_change"]
    assert not hasattr(UserAudit, "password") and UserAudit.objects.filter(username="audited").exists()
    assert added[UserGroupAudit] == ["insert", "delete"]
    assert added[UserPermissionAudit] == ["insert"] and added[GroupPermissionAudit] == ["insert"]
    assert added[TokenAudit] == ["insert", "delete"]
    assert not any(field.name == "key" for field in TokenAudit._meta.fields)
    assert added[StaffMemberGridAudit] == ["insert"]
    assert StaffMemberGridAudit.objects.order_by("-pgh_id").values_list("staffmember_id", "grid_id")[0] \
        == (member.pk, grid.pk)
    assert added[BusinessGridBaseGridAudit] == ["insert"]
    assert added[ImportJobAudit] == ["insert", "update"]  # the progress update is no change
    assert added[ExportRecordAudit] == ["insert"]
