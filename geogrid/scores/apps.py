from django.apps import AppConfig


class ScoresConfig(AppConfig):
    name = "geogrid.scores"
    verbose_name = "考核统计"
