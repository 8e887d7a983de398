from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "geogrid.core"
    verbose_name = "版本与公共"
