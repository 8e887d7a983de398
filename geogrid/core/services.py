"""Writes shared by every versioned layer."""
from django.contrib.auth.models import User

from geogrid.core.models import Generation


def create_generation(description: str, user: User | None = None) -> Generation:
    """Open a new generation; rows created in it get it as `generation_low`."""
    return Generation.objects.create(description=description, created_by=user)
