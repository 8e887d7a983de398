"""Writes shared by every versioned layer."""
from django.contrib.auth.models import User
from django.db.models import QuerySet

from geogrid.core.models import Generation
from geogrid.core.selectors import previous_generation


def create_generation(description: str, user: User | None = None) -> Generation:
    """Open a new generation; rows created in it get it as `generation_low`."""
    return Generation.objects.create(description=description, created_by=user)


def retire(rows: QuerySet, replaced_by: Generation) -> int:
    """Close current rows: valid up to and including the generation before `replaced_by`, never deleted."""
    return rows.filter(generation_high__isnull=True).update(generation_high=previous_generation(replaced_by))
