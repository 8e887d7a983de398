from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "geogrid.core"
    verbose_name = "版本与公共"

    def ready(self) -> None:
        from geogrid.core.audit import install_fast_context_functions

        post_migrate.connect(install_fast_context_functions, dispatch_uid="geogrid.core.fast_context_functions")
