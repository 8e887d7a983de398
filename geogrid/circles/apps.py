from django.apps import AppConfig


class CirclesConfig(AppConfig):
    name = "geogrid.circles"
    verbose_name = "15分钟服务圈"
