"""Load the generated demo town (`geogrid.demo.town`) into the database.

The town has two streets; a database loaded before the second street existed gets it on the next load (the
first street is left as it is). Everything is written in one transaction and through the domain services
(`create_generation`, `number_grids`, `place_buildings`), so the demo takes the same paths real data does and
the database triggers check every grid on the way in. The DEM is not in the database: it is written to
`DEM_PATH`.
"""
from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import rasterio.shutil
import shapely
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import Group, Permission, User
from django.contrib.gis.geos import GEOSGeometry
from django.db import connection, transaction
from django.db.models import Q
from rasterio.io import MemoryFile
from shapely.geometry.base import BaseGeometry
from tqdm import tqdm

from geogrid.accounts.models import UserScope
from geogrid.accounts.roles import COMMUNITY_GROUP, STREET_GROUP, install_role_groups
from geogrid.areas.models import Area
from geogrid.buildings.models import Building
from geogrid.buildings.services import place_buildings
from geogrid.circles.services import build_demo_network
from geogrid.core.models import Generation
from geogrid.core.services import create_generation
from geogrid.demo.tickets import demo_history
from geogrid.demo.town import (DEPARTMENTS, REFERENCE_TIME, STREET2_CODE, STREET2_NAME, STREET2_POLICE, STREET_CODE,
                               STREET_NAME, STREETS, URBAN_COMMUNITIES, Dem, Town, generate_town, street_code_of)
from geogrid.departments.models import BusinessGrid, Department
from geogrid.events.models import Event, EventCategory, EventTransition, Responsibility
from geogrid.events.defaults import RESPONSIBILITIES, install_street_defaults
from geogrid.events.services import route
from geogrid.instructions.services import install_task_list
from geogrid.scores.services import install_default_sheet
from geogrid.grids.models import Grid, GridPart
from geogrid.grids.services import number_grids
from geogrid.roads.models import Road, Water
from geogrid.staff.models import StaffMember
from geogrid.stations.models import ServiceStation
from geogrid.workdays.selectors import load_calendar
from geogrid.workdays.services import seed_from_chinese_calendar
from tiles.services import prepare_dem

GENERATION_DESCRIPTION = "演示数据初始版本"
DEM_PATH = Path(settings.BASE_DIR) / "var" / "demo" / "dem.tif"
# The demo logins' passwords as `load_demo` set them, for the operator to read again (mode 0600, git-ignored).
DEMO_LOGINS_PATH = Path(settings.BASE_DIR) / "var" / "demo-logins.txt"
# Releases before issue 13 gave every demo login this documented password; `load_demo` replaces it.
OLD_SHARED_PASSWORD = "geogrid-demo"

# Every row of these tables is demo data in a demo database; `--reset` empties them.
DEMO_MODELS = (EventTransition, Event, Responsibility, EventCategory, StaffMember, ServiceStation, BusinessGrid, Department, UserScope, Building,
               GridPart, Grid, Road, Water, Area, Generation)


@dataclass(frozen=True)
class DemoUser:
    """A demo login and its scope; `sees` is what `load_demo` prints next to it."""

    username: str
    sees: str
    superuser: bool = False
    staff: bool = False
    area_code: str | None = None
    department_code: str | None = None
    groups: tuple[str, ...] = ()
    street_code: str = STREET_CODE  # loaded with this street


FIRST_COMMUNITY_CODE, FIRST_COMMUNITY_NAME = min(URBAN_COMMUNITIES.values())
DEMO_USERS = (
    DemoUser("admin", "超级管理员：全部数据与后台", superuser=True, staff=True),
    DemoUser("street", f"{STREET_NAME}：全街道，可进后台", staff=True, area_code=STREET_CODE,
             groups=(STREET_GROUP,)),
    DemoUser("community", FIRST_COMMUNITY_NAME, area_code=FIRST_COMMUNITY_CODE, groups=(COMMUNITY_GROUP,)),
    DemoUser("police", DEPARTMENTS[0].name, department_code=DEPARTMENTS[0].code),
    DemoUser("street2", f"{STREET2_NAME}：全街道，可进后台", staff=True, area_code=STREET2_CODE,
             groups=(STREET_GROUP,), street_code=STREET2_CODE),
    DemoUser("police2", STREET2_POLICE.name, department_code=STREET2_POLICE.code, street_code=STREET2_CODE),
)


def missing_streets() -> list[str]:
    """Codes of the demo's streets not in the database yet."""
    loaded = set(Area.objects.filter(code__in=STREETS).values_list("code", flat=True))
    return [code for code in STREETS if code not in loaded]


def demo_town_loaded() -> bool:
    return not missing_streets()


def load_demo_town(*, reset: bool = False, progress: bool = False, dem_path: Path = DEM_PATH) -> bool:
    """Load the demo town, or the streets of it that are missing; all or nothing. Returns False (and
    changes nothing in the database) when it is already loaded, unless `reset` first deletes all demo data.

    The DEM lives outside the database, so an already loaded database whose DEM file is missing (a fresh
    checkout on a reused database) gets the file written again.
    """
    with transaction.atomic():
        seed_from_chinese_calendar()  # real holidays, not demo data: kept by --reset, brought up to date each run
        if reset:
            delete_demo_data()
        missing = missing_streets()
        if not missing:
            if not dem_path.exists():
                write_dem(generate_town().dem, dem_path)
            prepare_dem(dem_path)  # the hillshade of a DEM written before hillshades were made once
            refresh_demo_groups()  # a newer release may give the demo logins new permissions
            install_reference_data()  # ... and new reference tables
            return False
        loader = _Loader(dem_path, set(missing))
        with tqdm(loader.steps(), disable=not progress, unit="step", leave=False) as bar:
            for label, step in bar:
                bar.set_description(label)
                step()
        build_demo_network(dem_path)  # the service circles' walking network, sloped by the DEM just written
    return True


def install_reference_data() -> None:
    """Real defaults, not demo data, that the demo needs: the category tree and each street's units and
    归口办理 rows, the grid task list and the score sheet. Each only adds what is missing, so it runs on every
    load. The default 归口办理 rows without an area an earlier demo installed go: they sent every street's
    tickets to the first street's units."""
    drop_first_streets_default_rows()
    for street in Area.objects.filter(code__in=STREETS).order_by("code"):
        install_street_defaults(street=street)
    install_task_list()
    install_default_sheet()


def drop_first_streets_default_rows() -> None:
    """Delete the rows without an area pointing at the first street's units exactly as an earlier release's
    `install_defaults` wrote them (rows an office wrote itself stay)."""
    old = Q(pk__in=[])
    for code, (suffix, note) in RESPONSIBILITIES.items():
        old |= Q(category__code=code, department__code=f"{STREET_CODE[:9]}-{suffix}", note=note)
    Responsibility.objects.filter(old, area__isnull=True).delete()


def refresh_demo_groups() -> None:
    """The role groups with exactly their permissions (geogrid.accounts.roles), and the demo logins in them."""
    groups = {group.name: group for group in install_role_groups(Group, Permission).values()}
    for demo in DEMO_USERS:
        user = User.objects.filter(username=demo.username).first()
        if user is not None:
            user.groups.set([groups[name] for name in demo.groups])


@transaction.atomic
def set_demo_passwords(known: str | None = None) -> dict[str, str]:
    """Passwords for the demo logins that need one; returns {username: password} of those it set.

    With `known` (GEOGRID_DEMO_PASSWORD, for the test suite) every demo login gets that password. Otherwise a
    login without a usable password (just created) or with the old shared one gets its own random password,
    and the others keep theirs: there is never a password everybody knows."""
    order = {demo.username: i for i, demo in enumerate(DEMO_USERS)}
    users = sorted(User.objects.filter(username__in=order), key=lambda u: order[u.username])
    if known is not None:
        hashed = make_password(known)  # one hash for all: hashing is slow on purpose
        for user in users:
            user.password = hashed
        User.objects.bulk_update(users, ["password"])
        return {user.username: known for user in users}
    shared: dict[str, bool] = {}  # hash -> it is the old shared password; each distinct hash checked once
    stale = [user for user in users if not user.has_usable_password()
             or shared.setdefault(user.password, check_password(OLD_SHARED_PASSWORD, user.password))]
    passwords = {user.username: secrets.token_urlsafe(12) for user in stale}
    for user in stale:
        user.set_password(passwords[user.username])
    User.objects.bulk_update(stale, ["password"])
    return passwords


def record_demo_logins(passwords: dict[str, str], path: Path) -> None:
    """Write these passwords into `path` ("username password" lines, readable by this OS user only), over
    the ones it held for the same logins."""
    lines = path.read_text().splitlines() if path.exists() else []
    known = dict(line.split(" ", 1) for line in lines if " " in line)
    known.update(passwords)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)  # a file an earlier run left readable becomes private too
    with os.fdopen(fd, "w") as f:
        f.writelines(f"{username} {password}\n" for username, password in known.items())


def delete_demo_data() -> None:
    """Empty every demo table and its audit trail (it is a demo database) and delete the demo users."""
    audits = [m.audit_trail.rel.related_model for m in DEMO_MODELS if hasattr(m, "audit_trail")]
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in (*DEMO_MODELS, *audits))
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")
    User.objects.filter(username__in=[user.username for user in DEMO_USERS]).delete()


def write_dem(dem: Dem, path: Path = DEM_PATH) -> None:
    """Write the DEM as a Cloud-Optimised GeoTIFF (256 px tiles, deflate, internal overviews), replacing
    any previous file atomically so a tile server never reads half a file, and make its hillshade."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows, cols = dem.elevation.shape
    partial = path.with_name(f".{path.name}.partial")
    with MemoryFile() as memory:
        with memory.open(driver="GTiff", width=cols, height=rows, count=1, dtype="float32", crs=dem.crs,
                         transform=dem.transform) as dataset:
            dataset.write(dem.elevation, 1)
            dataset.update_tags(1, units="metre")
        with memory.open() as source:
            rasterio.shutil.copy(source, partial, driver="COG", COMPRESS="DEFLATE", PREDICTOR="FLOATING_POINT",
                                 BLOCKSIZE=256, OVERVIEW_COUNT=3, OVERVIEW_RESAMPLING="AVERAGE")
    os.replace(partial, path)
    prepare_dem(path)


def _geos(geom: BaseGeometry) -> GEOSGeometry:
    return GEOSGeometry(memoryview(shapely.to_wkb(geom)), srid=4490)


class _Loader:
    """The loading steps in dependency order; each keeps what later steps refer to (rows by code/index)."""

    def __init__(self, dem_path: Path, streets: set[str]) -> None:
        self.dem_path = dem_path
        self.streets = streets  # codes of the streets to load (the others are in the database already)
        self.town: Town
        self.generation: Generation
        self.areas: dict[str, Area] = {}
        self.grids: dict[int, Grid] = {}  # by index into town.grids
        self.departments: dict[str, Department] = {}

    def steps(self) -> list[tuple[str, Callable[[], None]]]:
        return [
            ("generate", self.generate), ("areas", self.load_areas), ("grids", self.load_grids),
            ("buildings", self.load_buildings), ("roads", self.load_roads),
            ("departments", self.load_departments), ("staff", self.load_staff),
            ("stations", self.load_stations), ("events", self.load_events), ("users", self.load_users),
            ("dem", self.write_dem),
        ]

    def generate(self) -> None:
        self.town = generate_town()

    def wanted(self, area_code: str) -> bool:
        return street_code_of(area_code) in self.streets

    def wanted_grid(self, index: int) -> bool:
        return self.wanted(self.town.grids[index].community_code)

    def load_areas(self) -> None:
        """The areas of the streets to load; the county once."""
        for spec in self.town.areas:  # parents come first
            existing = Area.objects.filter(code=spec.code).first()
            self.areas[spec.code] = existing or Area.objects.create(
                code=spec.code, name=spec.name, kind=spec.kind, geom=_geos(spec.geom),
                parent=self.areas[spec.parent_code] if spec.parent_code else None,
            )

    def load_grids(self) -> None:
        """Insert grids level by level under temporary codes, then let `number_grids` give the real codes;
        grids the generator left unnamed are named after their number (社区名 + 第N网格)."""
        self.generation = create_generation(GENERATION_DESCRIPTION)
        specs = self.town.grids
        rows: dict[int, Grid] = {}
        for level in (1, 2, 3):
            batch = [i for i, spec in enumerate(specs) if spec.level == level and self.wanted_grid(i)]
            created = Grid.objects.bulk_create([
                Grid(code=f"~demo{i}", name=specs[i].name or "", kind=specs[i].kind, level=level,
                     exclusive_type=specs[i].exclusive_type, setting=specs[i].setting,
                     parent=rows[specs[i].parent] if specs[i].parent is not None else None,
                     community=self.areas[specs[i].community_code], geom=_geos(specs[i].geom),
                     generation_low=self.generation)
                for i in batch
            ])
            rows.update(zip(batch, created))
        self.grids = rows
        unnamed = {rows[i].pk for i, spec in enumerate(specs) if spec.name is None and i in rows}
        renamed = []
        for community in Area.objects.communities().filter(pk__in=[a.pk for a in self.areas.values()]).order_by("code"):
            for grid in number_grids(community):
                if grid.pk in unnamed:
                    grid.name = f"{community.name}第{int(grid.code[-3:])}网格"
                    renamed.append(grid)
        Grid.objects.bulk_update(renamed, ["name"])

    def load_buildings(self) -> None:
        Building.objects.bulk_create([
            Building(address=b.address, use=b.use, floors=b.floors, households=b.households,
                     resident_households=b.resident_households, population=b.population,
                     footprint=_geos(b.footprint), point=_geos(b.point))
            for b in self.town.buildings if self.wanted_grid(b.grid)
        ], batch_size=1000)
        place_buildings()

    def load_roads(self) -> None:
        Road.objects.bulk_create([Road(name=r.name, kind=r.kind, geom=_geos(r.geom))
                                  for r in self.town.roads if r.street_code in self.streets])
        Water.objects.bulk_create([Water(name=w.name, geom=_geos(w.geom))
                                   for w in self.town.waters if w.street_code in self.streets])

    def load_departments(self) -> None:
        for spec in self.town.departments:
            if not self.wanted(spec.area_code):
                continue
            self.departments[spec.code] = Department.objects.create(
                code=spec.code, name=spec.name, tier=spec.tier, area=self.areas[spec.area_code],
            )
        BusinessGrid.objects.bulk_create([
            BusinessGrid(department=self.departments[b.department_code], code=b.code, name=b.name,
                         source=BusinessGrid.Source.DRAWN, geom=_geos(b.geom), generation_low=self.generation)
            for b in self.town.business_grids if b.department_code in self.departments
        ])

    def load_staff(self) -> None:
        staff = [s for s in self.town.staff if self.wanted_grid(s.grids[0])]
        members = StaffMember.objects.bulk_create([
            StaffMember(name=s.name, role=s.role, phone=s.phone, post=s.post,
                        department=self.departments[s.department_code] if s.department_code else None)
            for s in staff
        ])
        through = StaffMember.grids.through
        through.objects.bulk_create([
            through(staffmember_id=member.pk, grid_id=self.grids[index].pk)
            for member, spec in zip(members, staff) for index in spec.grids
        ])

    def load_stations(self) -> None:
        ServiceStation.objects.bulk_create([
            ServiceStation(kind=s.kind, name=s.name, point=_geos(s.point), address=s.address,
                           opening_hours=s.opening_hours, community=self.areas[s.community_code])
            for s in self.town.stations if self.wanted(s.community_code)
        ])

    def load_events(self) -> None:
        """The default category tree and 归口办理 table, then the demo tickets routed as if reported through
        the workflow, with the steps behind each one's status (`tickets.py`)."""
        install_reference_data()
        categories = {c.code: c for c in EventCategory.objects.all()}
        for spec in self.town.categories:  # parents come first; the demo's classes are among the defaults
            if spec.code not in categories:
                categories[spec.code] = EventCategory.objects.create(
                    code=spec.code, name=spec.name, parent=categories[spec.parent_code] if spec.parent_code else None)
        events = [Event(location=_geos(e.point), category=categories[e.category_code], description=e.description,
                        reported_at=e.reported_at, status=e.status, source=Event.Source.GRID_WORKER)
                  for e in self.town.events if self.wanted_grid(e.grid)]
        for event in events:
            route(event)
        transitions = demo_history(events, load_calendar(), now=REFERENCE_TIME)
        Event.objects.bulk_create(events)
        EventTransition.objects.bulk_create(transitions)

    def load_users(self) -> None:
        """The demo logins, created without a usable password: `set_demo_passwords` gives them one."""
        for demo in (d for d in DEMO_USERS if d.street_code in self.streets):
            flags = {"is_superuser": demo.superuser, "is_staff": demo.staff, "is_active": True}
            user, _ = User.objects.update_or_create(username=demo.username, defaults=flags,
                                                    create_defaults={**flags, "password": make_password(None)})
            if demo.area_code or demo.department_code:
                UserScope.objects.update_or_create(user=user, defaults={
                    "area": self.areas.get(demo.area_code or ""),
                    "department": Department.objects.filter(code=demo.department_code or "").first(),
                })

        refresh_demo_groups()

    def write_dem(self) -> None:
        write_dem(self.town.dem, self.dem_path)
