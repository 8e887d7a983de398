from django.apps import AppConfig


class LocateConfig(AppConfig):
    name = "geogrid.locate"
    verbose_name = "定位查询"
