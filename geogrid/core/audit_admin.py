"""The audit trail in the admin: superusers only, since rows hold personal data (phones) unmasked."""
from pghistory.admin import EventsAdmin

from geogrid.accounts.admin_scope import SuperuserOnlyAdmin


class AuditEventsAdmin(SuperuserOnlyAdmin, EventsAdmin):
    pass
