from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CoreConfig(AppConfig):
    name = "geogrid.core"
    verbose_name = "版本与公共"

    def ready(self) -> None:
        from geogrid.core.audit import install_fast_context_functions, restrict_app_role

        post_migrate.connect(install_fast_context_functions, dispatch_uid="geogrid.core.fast_context_functions")
        # Once per migrate (sent for this app after all migrations ran), so tables created by any app are covered.
        post_migrate.connect(restrict_app_role, sender=self, dispatch_uid="geogrid.core.restrict_app_role")
