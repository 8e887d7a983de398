"""The community role may import (its grid layer, as a change request): the role groups again, as
geogrid.accounts.roles now has them (idempotent)."""
from django.db import migrations

from geogrid.accounts.roles import install_role_groups_in_migration


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_chinese_guards"),
        ("imports", "0005_import_submits_change_request"),
    ]

    operations = [migrations.RunPython(install_role_groups_in_migration, migrations.RunPython.noop)]
