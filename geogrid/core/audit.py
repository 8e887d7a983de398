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
