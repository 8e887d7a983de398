from django.apps import AppConfig


class BuildingsConfig(AppConfig):
    name = "geogrid.buildings"
    verbose_name = "楼栋房屋"
