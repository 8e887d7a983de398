"""Audit trail: every change to a tracked model is recorded by PostgreSQL triggers (django-pghistory).

Triggers see every write (admin, API, services, bulk SQL), so no change escapes the trail. Requests add
who and which URL through `pghistory.middleware.HistoryMiddleware`; scripts can add their own context with
`pghistory.context(...)`. Derived fields (counts, placements) are excluded: recomputing them is not a change
anyone made. The trail is append-only and each model's is `<Model>Audit`, reached as `obj.audit_trail`.
"""
from typing import TypeVar
from collections.abc import Callable

import pghistory
import pgtrigger
from django.db import models

from geogrid.core.refusals import AUDIT_APPEND_ONLY, Protect

M = TypeVar("M", bound=type[models.Model])


def audited(*, exclude: tuple[str, ...] = (), events: tuple[pghistory.RowEvent, ...] = (),
            model_name: str | None = None, verbose_name: str | None = None,
            keep_obj: bool = True) -> Callable[[M], M]:
    """Class decorator: record inserts, updates (of non-excluded fields) and deletes of a model.

    For a model of another app (auth's, DRF's) or a many-to-many link table, decorate a proxy of it and name
    the audit model with `model_name`/`verbose_name`. `keep_obj=False` leaves out the reference to the
    tracked row (a link's id means nothing; a token's primary key is the token itself). `events` adds events.
    """

    def decorate(model: M) -> M:
        name = verbose_name or model._meta.verbose_name
        return pghistory.track(
            pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(), *events,
            exclude=list(exclude),
            model_name=model_name or f"{model.__name__}Audit",
            obj_field=pghistory.ObjForeignKey(related_name="audit_trail", related_query_name="audit")
            if keep_obj else None,
            append_only=False,  # pghistory's own append-only trigger refuses in English: this one is the same, in Chinese
            meta={"verbose_name": f"{name}（审计记录）", "verbose_name_plural": f"{name}（审计记录）",
                  "triggers": [Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete,
                                       rule=AUDIT_APPEND_ONLY)]},
        )(model)

    return decorate


# django-pghistory's `_pgh_attach_context()` and django-pgtrigger's `_pgtrigger_should_ignore()` read session
# settings inside PL/pgSQL EXCEPTION blocks, and each such block is a subtransaction. The audit triggers call
# both for every row, so a large import opens two subtransactions per row; past 64 in one transaction
# PostgreSQL's subtransaction cache overflows and every further row gets slower (measured: 80,000 building
# inserts took 219 s with the triggers, 1.7 s without). `current_setting(name, true)` returns NULL for a
# missing setting instead of raising, so the same functions need no EXCEPTION block. pgtrigger re-creates its
# function whenever it installs a trigger, hence these are re-applied after every migrate (core.apps).
#
# Both are also where the app role could tamper with the trail (README "Database roles"):
# - any role may set `pgtrigger.ignore`, which would let the app write tracked rows without an audit row or
#   lift the no-delete triggers: it is honoured only for members of the role owning the function (the owner
#   role that runs migrations and the demo loader);
# - pghistory upserts its context row, which needs UPDATE on pghistory_context, and with UPDATE the app could
#   rewrite who made any past change. Context rows are immutable instead: the first row of a context keeps its
#   id, and when a nested `pghistory.context(...)` changes the metadata later rows of that context get a row
#   of their own, whose id is derived from the context id and the metadata. The app role needs SELECT and
#   INSERT only.
FAST_CONTEXT_FUNCTIONS_SQL = r"""
CREATE OR REPLACE FUNCTION "public"._pgtrigger_should_ignore(trigger_name NAME) RETURNS BOOLEAN
LANGUAGE plpgsql AS $$
DECLARE
    _pgtrigger_ignore TEXT[] := NULLIF(CURRENT_SETTING('pgtrigger.ignore', true), '')::TEXT[];
BEGIN
    IF _pgtrigger_ignore IS NULL OR NOT trigger_name = ANY(_pgtrigger_ignore) THEN
        RETURN FALSE;
    END IF;
    RETURN pg_has_role(current_user, (SELECT proowner FROM pg_proc
                                      WHERE oid = '"public"._pgtrigger_should_ignore(name)'::regprocedure), 'USAGE');
END $$;

CREATE OR REPLACE FUNCTION _pgh_attach_context() RETURNS uuid LANGUAGE plpgsql AS $$
DECLARE
    _pgh_context_id UUID := NULLIF(CURRENT_SETTING('pghistory.context_id', true), '')::uuid;
    _pgh_context_metadata JSONB := NULLIF(CURRENT_SETTING('pghistory.context_metadata', true), '')::jsonb;
    _pgh_stored JSONB;
BEGIN
    IF _pgh_context_id IS NULL OR _pgh_context_metadata IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT metadata INTO _pgh_stored FROM pghistory_context WHERE id = _pgh_context_id;
    IF FOUND AND _pgh_stored = _pgh_context_metadata THEN
        RETURN _pgh_context_id;
    END IF;
    IF FOUND THEN
        _pgh_context_id := md5(_pgh_context_id::text || _pgh_context_metadata::text)::uuid;
    END IF;
    INSERT INTO pghistory_context (id, metadata, created_at, updated_at)
        VALUES (_pgh_context_id, _pgh_context_metadata, NOW(), NOW())
        ON CONFLICT (id) DO NOTHING;
    RETURN _pgh_context_id;
END $$;
"""


def install_fast_context_functions(using: str = "default", **kwargs) -> None:
    """post_migrate handler: replace the two per-row helper functions with their subtransaction-free forms."""
    from django.db import connections

    with connections[using].cursor() as cursor:
        cursor.execute("SELECT to_regclass('pghistory_context') IS NOT NULL")
        if cursor.fetchone()[0]:
            cursor.execute(FAST_CONTEXT_FUNCTIONS_SQL)


def audit_tables() -> list[str]:
    """Every table of the audit trail: each pghistory event model's and the context table."""
    from django.apps import apps
    from pghistory.models import Context, Event

    return sorted({Context._meta.db_table} | {
        model._meta.db_table for model in apps.get_models()
        if issubclass(model, Event) and model._meta.managed and not model._meta.proxy
    })


def restrict_app_role(using: str = "default", **kwargs) -> None:
    """post_migrate handler, run as the owner role: what the app role may do in this database.

    Reads and writes on every table (also on tables created later: default privileges), but on the audit
    trail only SELECT and INSERT; no TRUNCATE anywhere and no temporary tables (a temporary table named like
    an audit table would take the triggers' inserts). Nothing to do when the app connects as the owner.
    """
    from django.conf import settings
    from django.db import connections, transaction

    app = settings.DATABASE_ROLES["app"]["USER"]
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute("SELECT current_user <> %s AND EXISTS (SELECT FROM pg_roles WHERE rolname = %s)", [app, app])
        if not cursor.fetchone()[0]:
            return
        quote = connection.ops.quote_name
        role, database = quote(app), quote(connection.settings_dict["NAME"])
        cursor.execute(f"""
            REVOKE TEMPORARY ON DATABASE {database} FROM PUBLIC;
            GRANT CONNECT ON DATABASE {database} TO {role};
            GRANT USAGE ON SCHEMA public TO {role};
            ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role};
            ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {role};
            GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role};
            GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role};
        """)
        cursor.execute("SELECT t FROM unnest(%s::text[]) t WHERE to_regclass(quote_ident(t)) IS NOT NULL",
                       [audit_tables()])
        tables = ", ".join(quote(table) for (table,) in cursor.fetchall())
        if tables:  # none yet when only some apps (the task queue) were migrated
            cursor.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {tables} FROM {role}")
