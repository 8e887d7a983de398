from django.apps import AppConfig


class AlignmentConfig(AppConfig):
    name = "geogrid.alignment"
    verbose_name = "多网合一"
