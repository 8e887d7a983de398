"""One sliver tolerance (geogrid.core.tolerances): the field defaults become the database's containment tolerance,
1 m² instead of 5 m², and so does the default rule set (county = NULL) where it still holds 0002's 5 m². A
value somebody entered (any other number, or a county's own rule set) is left alone."""
from django.db import migrations, models

OLD_AREA_M2, NEW_AREA_M2 = 5.0, 1.0  # frozen here: a later change of the constant is another migration


def move_default_rules(old: float, new: float):
    def move(apps, schema_editor) -> None:
        apps.get_model("coverage", "SizingRules").objects.filter(county=None, sliver_tolerance_m2=old) \
            .update(sliver_tolerance_m2=new)
    return move


class Migration(migrations.Migration):

    dependencies = [
        ('coverage', '0004_chinese_guards'),
    ]

    operations = [
        migrations.AlterField(
            model_name='sizingrules',
            name='sliver_tolerance_m2',
            field=models.FloatField(default=1.0, help_text='面积小于此值的空白、重叠、越界和楼栋分割记为“碎片”（数字化误差），单独列出，不算错误。默认值即数据库越界容差 geogrid.containment_tolerance_m2', verbose_name='碎片面积阈值（平方米）'),
        ),
        migrations.AlterField(
            model_name='sizingrules',
            name='sliver_width_m',
            field=models.FloatField(default=0.05, help_text='平均宽度（2×面积/周长）小于此值的也记为“碎片”：坐标转换留下的细缝，面积可能大于上面的阈值。默认值即数据库容差 geogrid.containment_sliver_width_m', verbose_name='碎片平均宽度阈值（米）'),
        ),
        migrations.AlterField(
            model_name='sizingrulesaudit',
            name='sliver_tolerance_m2',
            field=models.FloatField(default=1.0, help_text='面积小于此值的空白、重叠、越界和楼栋分割记为“碎片”（数字化误差），单独列出，不算错误。默认值即数据库越界容差 geogrid.containment_tolerance_m2', verbose_name='碎片面积阈值（平方米）'),
        ),
        migrations.AlterField(
            model_name='sizingrulesaudit',
            name='sliver_width_m',
            field=models.FloatField(default=0.05, help_text='平均宽度（2×面积/周长）小于此值的也记为“碎片”：坐标转换留下的细缝，面积可能大于上面的阈值。默认值即数据库容差 geogrid.containment_sliver_width_m', verbose_name='碎片平均宽度阈值（米）'),
        ),
        migrations.RunPython(move_default_rules(OLD_AREA_M2, NEW_AREA_M2), move_default_rules(NEW_AREA_M2, OLD_AREA_M2)),
    ]
