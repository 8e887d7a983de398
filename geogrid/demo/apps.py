from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "geogrid.demo"
    verbose_name = "演示数据"
