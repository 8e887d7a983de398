"""django-axes hooks: the client address (as the API's rate limits see it) and the answer to a locked-out login."""
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from rest_framework.throttling import BaseThrottle

from geogrid.core.api import DomainError, json_error

LOCKED_STATUS = 429


def client_address(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or the address GEOGRID_NUM_PROXIES trusted proxies put in X-Forwarded-For."""
    return BaseThrottle().get_ident(request)


def cooloff_minutes() -> int:
    return max(1, round(settings.AXES_COOLOFF_TIME * 60))


class LoginLocked(DomainError):
    code = "login_locked"
    status = LOCKED_STATUS

    def __init__(self) -> None:
        super().__init__(f"登录失败次数过多，账号或地址已被锁定，请 {cooloff_minutes()} 分钟后再试")


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: dict | None = None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: JSON {code: login_locked} on the API, a Chinese page on the login forms."""
    if request.path.startswith("/api/"):
        error = LoginLocked()
        return json_error(error.code, error.message, status=LOCKED_STATUS)
    return render(request, "accounts/locked.html", {"minutes": cooloff_minutes()}, status=LOCKED_STATUS)
