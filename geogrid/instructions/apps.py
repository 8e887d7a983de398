from django.apps import AppConfig


class InstructionsConfig(AppConfig):
    name = "geogrid.instructions"
    verbose_name = "部门指令"
