"""The default grid worker's monthly sheet (seed 003), so every installation has one to edit."""
from django.db import migrations


def install(apps, schema_editor):
    from geogrid.scores.services import install_default_sheet

    install_default_sheet(apps.get_model("scores", "ScoreSheet"))


class Migration(migrations.Migration):
    dependencies = [("scores", "0001_initial")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
