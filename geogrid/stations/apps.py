from django.apps import AppConfig


class StationsConfig(AppConfig):
    name = "geogrid.stations"
    verbose_name = "服务站点"
