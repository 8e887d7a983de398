from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "geogrid.search"
    verbose_name = "搜索"
