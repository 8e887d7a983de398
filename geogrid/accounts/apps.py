from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_out


def revoke_tokens(sender, request, user, **kwargs) -> None:
    """Logging out of the site also ends the user's API token."""
    from rest_framework.authtoken.models import Token

    if user is not None:
        Token.objects.filter(user=user).delete()


class AccountsConfig(AppConfig):
    name = "geogrid.accounts"
    verbose_name = "账号与权限范围"

    def ready(self) -> None:
        user_logged_out.connect(revoke_tokens, dispatch_uid="geogrid.accounts.revoke_tokens")
