"""Writes of the score sheet: the centre's marks. Sheets themselves are edited in the admin."""
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import User

from geogrid.scores.defaults import BANDS, ITEMS, NAME
from geogrid.scores.models import ScoreItem, ScoreMark, ScoreSheet


def install_default_sheet(sheets: type[ScoreSheet] = ScoreSheet) -> bool:
    """Seed 003's 100-point sheet as the default (no area), unless there is one. `sheets` is the model class,
    so the data migration can pass its historical model. Also run by `load_demo`: `--reset` empties the
    tables that reference areas, this one included."""
    if sheets.objects.filter(area__isnull=True).exists():
        return False
    sheet = sheets.objects.create(name=NAME)
    for order, (name, max_points, tickets, rules) in enumerate(ITEMS, start=1):
        sheet.items.create(order=order, name=name, max_points=max_points, rules=rules,
                           source="tickets" if tickets else "manual")
    for direction, threshold, adjustment, disqualifies in BANDS:
        sheet.bands.create(direction=direction, threshold=threshold, adjustment=adjustment, disqualifies=disqualifies)
    return True


def record_mark(worker: User, month: date, item: ScoreItem, points: Decimal, reason: str, *,
                veto: bool = False, entered_by: User | None = None) -> ScoreMark:
    """One deduction or addition for a worker's month on an item, with its reason (audited like every model)."""
    if not reason.strip():
        raise ValueError("请填写事由 / a mark needs a reason")
    return ScoreMark.objects.create(worker=worker, month=month.replace(day=1), item=item, points=points,
                                    reason=reason, veto=veto, entered_by=entered_by)
