from django.apps import AppConfig


class HotlineConfig(AppConfig):
    name = "geogrid.hotline"
    verbose_name = "12345热线工单"
