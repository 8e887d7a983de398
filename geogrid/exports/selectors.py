"""Reads about exports."""
from django.contrib.auth.models import User
from django.db.models import QuerySet

from geogrid.accounts.selectors import departments_serving, scope_of
from geogrid.departments.models import Department
from geogrid.exports.models import ExportRecord


def exports_by(user: User) -> "QuerySet[ExportRecord]":
    """The user's own export log, newest first."""
    return ExportRecord.objects.filter(user=user).order_by("-created_at")


def departments_exportable_by(user: User) -> "QuerySet[Department]":
    """Whose business grids the user may export: a department user's own department only; an area user's,
    every department serving the area (`departments_serving`); all for superusers."""
    scope = scope_of(user)
    if scope is not None and scope.department_id is not None and not user.is_superuser:
        return Department.objects.filter(pk=scope.department_id)
    return departments_serving(user)
