"""The default rule set (county = NULL): the seed documents' numbers, as the model's field defaults say."""
from django.db import migrations


def create_default(apps, schema_editor) -> None:
    apps.get_model("coverage", "SizingRules").objects.get_or_create(
        county=None, defaults={"basis": "DOMAIN.md 汇总的种子文件默认值（种子000、001、003、004）"}
    )


def delete_default(apps, schema_editor) -> None:
    apps.get_model("coverage", "SizingRules").objects.filter(county=None).delete()


class Migration(migrations.Migration):
    dependencies = [("coverage", "0001_initial")]
    operations = [migrations.RunPython(create_default, delete_default)]
