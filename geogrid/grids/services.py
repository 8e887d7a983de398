"""Writes of grids."""
import pghistory
from django.db import transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat

from geogrid.areas.models import Area
from geogrid.grids.coding import CodeRule
from geogrid.grids.models import Grid
from geogrid.grids.selectors import CodeChange, propose_codes


@transaction.atomic
def apply_codes(changes: list[CodeChange]) -> None:
    """Give grids their proposed codes. Codes are swapped through temporary ones because current codes are
    unique at every moment; the audit trail records each step under the context `renumber`, so an old code
    stays findable (`selectors.find_grid`)."""
    moving = [c for c in changes if c.old != c.new]
    if not moving:
        return
    with pghistory.context(reason="renumber"):
        Grid.objects.filter(pk__in=[c.grid.pk for c in moving]).update(
            code=Concat(Value("~"), Cast("id", CharField())))
        for change in moving:
            change.grid.code = change.new
        Grid.objects.bulk_update([c.grid for c in moving], ["code"])


def number_grids(community: Area, rule: CodeRule | None = None) -> list[Grid]:
    """Number the community's current grids by the coding rule; returns them with their new codes."""
    changes = propose_codes(community, rule)
    apply_codes(changes)
    return [c.grid for c in changes]
