from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "geogrid.workdays"
    verbose_name = "工作日历"
