from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "geogrid.accounts"
    verbose_name = "账号与权限范围"
