from django.apps import AppConfig


class DepartmentsConfig(AppConfig):
    name = "geogrid.departments"
    verbose_name = "部门与业务网格"
