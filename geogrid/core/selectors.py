"""Reads shared by every versioned layer."""
from geogrid.core.models import Generation


def previous_generation(generation: Generation) -> int | None:
    """The generation before this one: rows a generation replaces are valid up to and including it."""
    return Generation.objects.filter(pk__lt=generation.pk).order_by("-pk").values_list("pk", flat=True).first()
