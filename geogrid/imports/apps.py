from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "geogrid.imports"
    verbose_name = "数据导入"
