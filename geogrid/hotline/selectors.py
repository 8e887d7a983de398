"""Reads of the hotline page: the batches a user uploaded and the streets whose queue they may fill."""
from django.contrib.auth.models import User
from django.db.models import QuerySet

from geogrid.accounts.selectors import area_code_prefix
from geogrid.areas.models import Area
from geogrid.imports.models import ImportJob
from geogrid.imports.selectors import jobs_visible_to

HOTLINE_TARGET = "hotline"  # ImportJob.target of a 12345 batch uploaded on /events/hotline


def hotline_batches(user: User) -> QuerySet[ImportJob]:
    """The log of hotline batches a user uploaded (superusers: everyone's). Batches are ImportJob rows, so the
    import log and its progress endpoint (/api/v1/imports/<id>) serve them as they serve data imports."""
    return jobs_visible_to(user).filter(target=HOTLINE_TARGET)


def hotline_streets(user: User) -> QuerySet[Area]:
    """The streets whose 待定位 queue a user's hotline batch may fill: those in the user's area (all for
    superusers), so a county-level centre picks one and a street's centre has just its own."""
    prefix = area_code_prefix(user)
    if prefix is None:
        return Area.objects.none()
    return Area.objects.streets().filter(code__startswith=prefix).order_by("code")
