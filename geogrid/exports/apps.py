from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "geogrid.exports"
    verbose_name = "数据导出"
