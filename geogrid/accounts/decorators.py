"""Page access: a visitor who is not logged in goes to the login page; a logged-in user without the permission
gets the 403 page saying so (templates/403.html), never a silent redirect back to the login page."""
from collections.abc import Callable

from django.contrib.auth.decorators import login_required, permission_required


def page_permission_required(perm: str) -> Callable:
    def decorator(view: Callable) -> Callable:
        return login_required(permission_required(perm, raise_exception=True)(view))
    return decorator
