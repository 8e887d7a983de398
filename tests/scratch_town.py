"""The least a street needs for Open311 reports to be accepted and routed, for tests that run GeoGrid's own server
and worker on a scratch cluster (tests/test_crash_load.py): a county, a street, a community and its grid, the
street's event categories, units and 归口办理 rows, and a street login. Loaded through the onboarding path (README
"Onboarding a street"): `import_data` and `load_event_defaults`, then the `create_user` service. The demo town
takes 13 s to load on top of the migration; this takes a few.

    manage.py shell -c "from tests.scratch_town import load; load('/tmp/folder', 'password')"
"""
from pathlib import Path

COUNTY, STREET, COMMUNITY = "330110000000", "330110001000", "330110001001"
GRID = f"{COMMUNITY}001"
BOUNDS = (120.0, 30.4, 120.1, 30.5)  # the street, its one community and its one grid
INSIDE = (120.05, 30.45)  # (long, lat) of a report inside the grid
SERVICE_CODE = "0101"  # 暴露垃圾, routed to the street's 环卫所 by the default 归口办理 table
USERNAME = "street-clerk"


def departments_csv(code: str, name: str) -> str:
    """A departments file of one unit of the street (`import_data --target departments`)."""
    return f"部门代码,部门名称,所属区划代码\n{code},{name},{STREET}\n"


def load(folder: str, password: str) -> None:
    from django.core.management import call_command
    from shapely import box

    from geogrid.accounts.services import create_user
    from tests.importing import write_layer

    here, area = Path(folder), box(*BOUNDS)
    files = [
        (write_layer(here / "县街道.geojson", [box(119.9, 30.3, 120.2, 30.6), area],
                     {"代码": [COUNTY, STREET], "名称": ["余杭区", "测试街道"], "类型": ["区", "街道"]}, crs="EPSG:4490"),
         ["--target", "areas"]),
        (write_layer(here / "社区.geojson", [area], {"代码": [COMMUNITY], "名称": ["测试社区"]}, crs="EPSG:4490"),
         ["--target", "areas", "--set", "kind=社区"]),
        (write_layer(here / "网格.geojson", [area], {"网格编码": [GRID], "网格名称": ["测试社区第1网格"],
                                                  "社区代码": [COMMUNITY]}, crs="EPSG:4490"),
         ["--target", "grids"]),
    ]
    for path, options in files:
        call_command("import_data", str(path), *options, verbosity=0)
    call_command("load_event_defaults", STREET, verbosity=0)
    create_user(username=USERNAME, role="street", password=password, area_code=STREET)
