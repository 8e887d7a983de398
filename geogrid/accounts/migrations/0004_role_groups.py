"""The role groups (geogrid.accounts.roles) exist from migrations on, not only in a demo database."""
from django.db import migrations

from geogrid.accounts.roles import install_role_groups_in_migration


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_audit_users_groups_permissions_tokens"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("areas", "0002_areaaudit_area_insert_insert_area_update_update_and_more"),
        ("grids", "0005_containment_slivers"),
        ("buildings", "0002_buildingaudit_building_insert_insert_and_more"),
        ("staff", "0003_audit_grid_links"),
        ("stations", "0002_servicestationaudit_servicestation_insert_insert_and_more"),
        ("departments", "0004_audit_base_grid_links"),
        ("roads", "0002_roadaudit_wateraudit_road_insert_insert_and_more"),
        ("events", "0004_ratecounter"),
        ("adjustments", "0001_initial"),
        ("circles", "0002_candidate_lists"),
        ("imports", "0002_audit_import_log"),
        ("instructions", "0001_initial"),
    ]

    operations = [migrations.RunPython(install_role_groups_in_migration, migrations.RunPython.noop)]
