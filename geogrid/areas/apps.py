from django.apps import AppConfig


class AreasConfig(AppConfig):
    name = "geogrid.areas"
    verbose_name = "行政区划"
