"""Audit trail: every change to a tracked model is recorded by PostgreSQL triggers (django-pghistory).

Triggers see every write (admin, API, services, bulk SQL), so no change escapes the trail. Requests add
who and which URL through `pghistory.middleware.HistoryMiddleware`; scripts can add their own context with
`pghistory.context(...)`. Derived fields (counts, placements) are excluded: recomputing them is not a change
anyone made. The trail is append-only and each model's is `<Model>Audit`, reached as `obj.audit_trail`.
"""
from typing import Callable, TypeVar

import pghistory
from django.db import models

M = TypeVar("M", bound=type[models.Model])


def audited(*, exclude: tuple[str, ...] = ()) -> Callable[[M], M]:
    """Class decorator: record inserts, updates (of non-excluded fields) and deletes of a model."""

    def decorate(model: M) -> M:
        return pghistory.track(
            pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(),
            exclude=list(exclude),
            model_name=f"{model.__name__}Audit",
            obj_field=pghistory.ObjForeignKey(related_name="audit_trail", related_query_name="audit"),
            append_only=True,
            meta={"verbose_name": f"{model._meta.verbose_name}（审计记录）",
                  "verbose_name_plural": f"{model._meta.verbose_name}（审计记录）"},
        )(model)

    return decorate


# django-pghistory's `_pgh_attach_context()` and django-pgtrigger's `_pgtrigger_should_ignore()` read session
# settings inside PL/pgSQL EXCEPTION blocks, and each such block is a subtransaction. The audit triggers call
# both for every row, so a large import opens two subtransactions per row; past 64 in one transaction
# PostgreSQL's subtransaction cache overflows and every further row gets slower (measured: 80,000 building
# inserts took 219 s with the triggers, 1.7 s without). `current_setting(name, true)` returns NULL for a
# missing setting instead of raising, so the same functions need no EXCEPTION block. pgtrigger re-creates its
# function whenever it installs a trigger, hence these are re-applied after every migrate (core.apps).
FAST_CONTEXT_FUNCTIONS_SQL = r"""
CREATE OR REPLACE FUNCTION "public"._pgtrigger_should_ignore(trigger_name NAME) RETURNS BOOLEAN
LANGUAGE plpgsql AS $$
DECLARE
    _pgtrigger_ignore TEXT[] := NULLIF(CURRENT_SETTING('pgtrigger.ignore', true), '')::TEXT[];
BEGIN
    RETURN _pgtrigger_ignore IS NOT NULL AND trigger_name = ANY(_pgtrigger_ignore);
END $$;

CREATE OR REPLACE FUNCTION _pgh_attach_context() RETURNS uuid LANGUAGE plpgsql AS $$
DECLARE
    _pgh_context_id UUID := NULLIF(CURRENT_SETTING('pghistory.context_id', true), '')::uuid;
    _pgh_context_metadata JSONB := NULLIF(CURRENT_SETTING('pghistory.context_metadata', true), '')::jsonb;
BEGIN
    IF _pgh_context_id IS NOT NULL AND _pgh_context_metadata IS NOT NULL THEN
        INSERT INTO pghistory_context (id, metadata, created_at, updated_at)
            VALUES (_pgh_context_id, _pgh_context_metadata, NOW(), NOW())
            ON CONFLICT (id) DO UPDATE
                SET metadata = EXCLUDED.metadata,
                    updated_at = EXCLUDED.updated_at
                WHERE pghistory_context.metadata != EXCLUDED.metadata;
        RETURN _pgh_context_id;
    END IF;
    RETURN NULL;
END $$;
"""


def install_fast_context_functions(using: str = "default", **kwargs) -> None:
    """post_migrate handler: replace the two per-row helper functions with their subtransaction-free forms."""
    from django.db import connections

    with connections[using].cursor() as cursor:
        cursor.execute("SELECT to_regclass('pghistory_context') IS NOT NULL")
        if cursor.fetchone()[0]:
            cursor.execute(FAST_CONTEXT_FUNCTIONS_SQL)
