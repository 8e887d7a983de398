"""The grid rules refuse in Chinese, each with its stable code (geogrid/core/refusals.py).

Same checks as 0005, in the same order; only the words change: each RAISE of check_containment.v3.sql is
rendered from its `Rule`, with the Chinese message as MESSAGE, the code as DETAIL and SQLSTATE `check_violation`
as before.
"""
from django.db import migrations

from geogrid.core.sqlfiles import sql_file


class Migration(migrations.Migration):
    dependencies = [("grids", "0005_containment_slivers")]
    # Back to 0005's English function.
    operations = [migrations.RunSQL(sql_file("grids", "check_containment.v3"),
                                    sql_file("grids", "check_containment.v2"))]
