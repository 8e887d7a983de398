from django.apps import AppConfig


class CoverageConfig(AppConfig):
    name = "geogrid.coverage"
    verbose_name = "网格覆盖校验"
