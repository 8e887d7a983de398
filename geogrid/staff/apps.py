from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "geogrid.staff"
    verbose_name = "网格力量"
