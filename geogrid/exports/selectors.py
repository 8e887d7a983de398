"""Reads about exports."""
from django.contrib.auth.models import User
from django.db.models import QuerySet

from geogrid.exports.models import ExportRecord


def exports_by(user: User) -> "QuerySet[ExportRecord]":
    """The user's own export log, newest first."""
    return ExportRecord.objects.filter(user=user).order_by("-created_at")

