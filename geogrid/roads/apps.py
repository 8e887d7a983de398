from django.apps import AppConfig


class RoadsConfig(AppConfig):
    name = "geogrid.roads"
    verbose_name = "道路水系"
