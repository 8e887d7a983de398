"""The audit trail in the admin: superusers only, since rows hold personal data (phones) unmasked."""
from pghistory.admin import EventsAdmin


class AuditEventsAdmin(EventsAdmin):
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser
