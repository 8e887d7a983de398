from django.apps import AppConfig


class AdjustmentsConfig(AppConfig):
    name = "geogrid.adjustments"
    verbose_name = "网格划分动态调整"
