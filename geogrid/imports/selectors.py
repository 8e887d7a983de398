"""Reads of the import log."""
from django.contrib.auth.models import User
from django.db.models import QuerySet

from geogrid.imports.models import ImportJob


def jobs_visible_to(user: User) -> QuerySet[ImportJob]:
    """A user's own imports; superusers see everyone's."""
    jobs = ImportJob.objects.select_related("user", "change_request").order_by("-created_at")
    return jobs if user.is_superuser else jobs.filter(user=user)
