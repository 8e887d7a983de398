from django.apps import AppConfig


class GridsConfig(AppConfig):
    name = "geogrid.grids"
    verbose_name = "网格"
