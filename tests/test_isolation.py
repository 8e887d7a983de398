"""The isolation matrix: every URL of the project x every role, across the demo's two streets.

Each role works for one street (`street`, `community`, `police`: 城关街道; `street2`, `police2`: 武笔街道). For
every URL pattern (walked from the urlconf, so a new URL cannot be forgotten: `test_the_matrix_covers_every_url`)
and every admin page of every registered model, the role asks for objects of the OTHER street by id or code:

- an object URL must refuse (403/404, a 400 for a query parameter naming what the user may not have, or a
  redirect to a login page) and must not show the object;
- a list must not contain the other street's data (its name, its 9-digit code prefix, the rows made here);
- a write is attempted against the other street and must be refused and change nothing.

`anonymous` asks for street 1's objects and must be refused everywhere except the public endpoints; `admin`
(a superuser) asks for street 2's and must get an answer (no server error). Test ids read "URL x role".
"""
from __future__ import annotations

import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import mapbox_vector_tile
import openpyxl
import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from geogrid.accounts.admin_scope import AreaScopedAdmin
from geogrid.accounts.models import UserScope
from geogrid.adjustments.models import ChangeRequest
from geogrid.areas.models import Area
from geogrid.buildings.models import Building
from geogrid.circles.models import CircleRun, WalkingNetwork
from geogrid.core.models import Generation
from geogrid.demo.town import STREET2_CODE, STREET_CODE, STREETS
from geogrid.departments.models import BusinessGrid, Department
from geogrid.events.models import Event, EventCategory, EventPhoto, EventTransition, Responsibility
from geogrid.hotline.selectors import HOTLINE_TARGET
from geogrid.events.services import route
from geogrid.grids.models import Grid
from geogrid.imports.forms import ImportForm
from geogrid.imports.models import ImportJob
from geogrid.instructions.models import GridTask, Instruction
from geogrid.workdays.models import CalendarDay, CalendarYear
from tests.helpers import interior_point_of
from tiles.layers import TILESETS

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "admin", "street", "community", "police", "street2", "police2")
HOME = {"street": STREET_CODE, "community": STREET_CODE, "police": STREET_CODE,
        "street2": STREET2_CODE, "police2": STREET2_CODE}
OTHER = {STREET_CODE: STREET2_CODE, STREET2_CODE: STREET_CODE}
REFUSED = {400, 401, 403, 404, 405}


# ---- the objects of each street the roles ask for -------------------------------------------------------------

@dataclass
class Street:
    """One street's objects, made or picked for a probe."""

    code: str
    area: Area
    community: Area
    grid: Grid  # a level-1 grid well away from the other street
    point: tuple[float, float]  # inside the grid
    event: Event
    photo: EventPhoto
    building: Building
    department: Department  # the street's police station
    clerk: User
    police: User
    request: ChangeRequest
    instruction: Instruction
    run: CircleRun
    job: ImportJob
    hotline_job: ImportJob
    generation: Generation
    markers: tuple[str, ...] = field(default=())  # text only this street's data contains

    @property
    def prefix(self) -> str:
        return self.code[:9]


JPEG = b"\xff\xd8\xff\xe0" + bytes(64)


def photo_of(event: Event) -> EventPhoto:
    photo = EventPhoto(event=event)
    photo.image.save("isolation.jpg", ContentFile(JPEG), save=False)
    photo.save()
    return photo


def reported(grid: Grid, description: str) -> Event:
    """A new ticket in the grid, routed as a report would be."""
    event = Event(location=grid.geom.point_on_surface, category=EventCategory.objects.get(code="0701"),
                  description=description, reported_at=timezone.now(), source=Event.Source.GRID_WORKER)
    route(event)
    event.save()
    EventTransition.objects.create(event=event, action="report", to_status=event.status, at=event.reported_at)
    return event


def make_street(code: str) -> Street:
    area = Area.objects.get(code=code)
    grids = list(Grid.objects.current().filter(level=1, community__parent=area, kind="comprehensive"))
    # street 1's grid nearest its centre, street 2's farthest east: neither near the border between them
    centre = area.geom.centroid
    grid = (min(grids, key=lambda g: g.geom.centroid.distance(centre)) if code == STREET_CODE
            else max(grids, key=lambda g: g.geom.centroid.x))
    event = reported(grid, f"隔离{code[:9]}工单")
    department = Department.objects.get(code=f"{code[:9]}-PCS")
    clerk = User.objects.get(username="street" if code == STREET_CODE else "street2")
    police = User.objects.get(username="police" if code == STREET_CODE else "police2")
    tag = f"隔离{code[:9]}"
    return Street(
        code=code, area=area, community=grid.community, grid=grid, point=interior_point_of(grid.code),
        event=event, photo=photo_of(event),
        building=Building.objects.filter(grid_l1=grid).order_by("pk").first(), department=department,
        clerk=clerk, police=police,
        request=ChangeRequest.objects.create(community=grid.community, reason=f"{tag}申请", base={},
                                             proposal={"type": "FeatureCollection", "features": []},
                                             created_by=clerk),
        instruction=Instruction.objects.create(department=department, grid=grid, content=f"{tag}指令",
                                               sent_by=police),
        run=CircleRun.objects.create(network=WalkingNetwork.objects.order_by("pk").first(), area=area, user=clerk),
        job=ImportJob.objects.create(user=clerk, file_name=f"{tag}.geojson", target="buildings"),
        hotline_job=ImportJob.objects.create(user=clerk, file_name=f"{tag}.xlsx", target=HOTLINE_TARGET,
                                             options={"street": code}),
        generation=grid.generation_low,
        markers=(STREETS[code], code[:9], tag),
    )


@pytest.fixture
def streets(settings, tmp_path) -> dict[str, Street]:
    settings.MEDIA_ROOT = tmp_path
    return {code: make_street(code) for code in STREETS}


def client_for(role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(User.objects.get(username=role))
    return client


def target_street(role: str) -> str:
    """Whose objects the role asks for: the other street's; anonymous street 1's, admin street 2's."""
    return {"anonymous": STREET_CODE, "admin": STREET2_CODE}.get(role) or OTHER[HOME[role]]


# ---- probes -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Probe:
    """One request of a URL pattern against a street's objects.

    kind: "object" (must be refused), "list" (must not show the street's data), "write" (must be refused and
    change nothing), "public" (anyone may ask: no server error), "tiles" (scoped tilesets empty over it).
    """

    name: str  # the URL pattern's name
    kind: str
    path: Callable[[Street], str]
    data: Callable[[Street], dict] | None = None
    state: Callable[[Street], Any] | None = None  # what a refused write leaves as it was
    label: str = ""  # tells apart two probes of one URL pattern
    form: bool = False  # an HTML form: showing it again with its errors (200) refuses too

    @property
    def id(self) -> str:
        return f"{self.name}{'[' + self.label + ']' if self.label else ''}"


def event_state(s: Street) -> tuple:
    event = Event.objects.get(pk=s.event.pk)
    return event.status, event.department_id, event.location.wkt if event.location else None, \
        EventTransition.objects.filter(event=event).count()


def requests_state(s: Street) -> tuple:
    return ChangeRequest.objects.count(), ChangeRequest.objects.get(pk=s.request.pk).status, Generation.objects.count()


def instruction_state(s: Street) -> tuple:
    instruction = Instruction.objects.get(pk=s.instruction.pk)
    return Instruction.objects.count(), instruction.status, instruction.response


def alignment_state(s: Street) -> tuple:
    return Generation.objects.count(), BusinessGrid.objects.current().filter(department=s.department).count()


def tile_of(s: Street, z: int = 16) -> tuple[int, int, int]:
    lon, lat = s.point
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return z, x, y


def plain(s: Street) -> str:
    lon, lat = s.point
    return f"lon={lon}&lat={lat}"


EMPTY_DRAFT = {"type": "FeatureCollection", "features": []}
API = "/api/v1"
PROBES: tuple[Probe, ...] = (
    Probe("healthz", "public", lambda s: "/healthz"),
    Probe("login", "public", lambda s: "/accounts/login/"),
    Probe("logout", "public", lambda s: "/accounts/logout/"),
    Probe("api-locate", "public", lambda s: f"{API}/locate?{plain(s)}"),  # the point lookup is public
    Probe("api-search", "list", lambda s: f"{API}/search?q={s.grid.code}"),
    Probe("api-building", "object", lambda s: f"{API}/building?id={s.building.pk}"),
    Probe("api-building", "object", lambda s: f"{API}/building?{plain(s)}", label="point"),
    Probe("api-grids", "list", lambda s: f"{API}/grids.geojson"),
    Probe("api-coverage", "object", lambda s: f"{API}/coverage?area={s.code}"),
    Probe("api-export", "object", lambda s: f"{API}/export?target=grids&format=geojson&area={s.code}"),
    Probe("api-export", "object", lambda s: f"{API}/export?target=business_grids&format=geojson"
                                            f"&department={s.department.code}", label="department"),
    Probe("api-import-job", "object", lambda s: f"{API}/imports/{s.job.pk}"),
    Probe("api-import-undo", "write", lambda s: f"{API}/imports/{s.job.pk}/undo", lambda s: {},
          lambda s: ImportJob.objects.get(pk=s.job.pk).status),
    Probe("api-adjustment-requests", "list", lambda s: f"{API}/adjustments/requests"),
    Probe("api-adjustment-request", "object", lambda s: f"{API}/adjustments/requests/{s.request.pk}"),
    Probe("api-adjustment-decision", "write", lambda s: f"{API}/adjustments/requests/{s.request.pk}/decision",
          lambda s: {"approve": True, "note": "越权"}, requests_state),
    Probe("api-adjustment-draft", "object", lambda s: f"{API}/adjustments/{s.community.code}/draft"),
    Probe("api-adjustment-operations", "write", lambda s: f"{API}/adjustments/{s.community.code}/operations",
          lambda s: {"draft": EMPTY_DRAFT, "operation": {}}, requests_state),
    Probe("api-adjustment-submit", "write", lambda s: f"{API}/adjustments/{s.community.code}/requests",
          lambda s: {"draft": EMPTY_DRAFT, "base": {}, "reason": "越权"}, requests_state),
    Probe("api-adjustment-history", "object", lambda s: f"{API}/adjustments/{s.community.code}/history"),
    Probe("api-adjustment-version", "object",
          lambda s: f"{API}/adjustments/{s.community.code}/history/{s.generation.pk}"),
    Probe("api-adjustment-restore", "write", lambda s: f"{API}/adjustments/{s.community.code}/restore",
          lambda s: {"generation": s.generation.pk, "reason": "越权"}, requests_state),
    Probe("api-adjustment-surroundings", "object", lambda s: f"{API}/adjustments/{s.community.code}/surroundings"),
    Probe("api-alignment", "object", lambda s: f"{API}/alignment/{s.department.code}"),
    Probe("api-alignment-preview", "object", lambda s: f"{API}/alignment/{s.department.code}/preview"),
    Probe("api-alignment-apply", "write", lambda s: f"{API}/alignment/{s.department.code}/apply",
          lambda s: {"decisions": {}}, alignment_state),
    Probe("api-circles-networks", "public", lambda s: f"{API}/circles/networks"),  # networks belong to no area
    Probe("api-circles-runs", "list", lambda s: f"{API}/circles/runs"),
    Probe("api-circles-runs", "write", lambda s: f"{API}/circles/runs",
          lambda s: {"area": s.code, "network": s.run.network_id}, lambda s: CircleRun.objects.count(), label="post"),
    Probe("api-circles-run", "object", lambda s: f"{API}/circles/runs/{s.run.pk}"),
    Probe("api-circles-coverage", "object", lambda s: f"{API}/circles/runs/{s.run.pk}/coverage"),
    Probe("api-circles-map", "object", lambda s: f"{API}/circles/runs/{s.run.pk}/map"),
    Probe("api-circles-export", "object", lambda s: f"{API}/circles/runs/{s.run.pk}/export.xlsx"),
    Probe("api-event", "object", lambda s: f"{API}/events/{s.event.pk}"),
    Probe("api-event-transition", "write", lambda s: f"{API}/events/{s.event.pk}/transitions",
          lambda s: {"action": "accept", "note": "越权"}, event_state),
    Probe("api-event-place", "write", lambda s: f"{API}/events/{s.event.pk}/place",
          lambda s: {"lon": s.point[0], "lat": s.point[1]}, event_state),
    Probe("api-instructions", "list", lambda s: f"{API}/instructions/"),
    Probe("api-instructions", "write", lambda s: f"{API}/instructions/",
          lambda s: {"grid": s.grid.code, "content": "越权指令", "task": GridTask.objects.order_by("code")[0].code},
          instruction_state, label="post"),
    Probe("api-instruction-decision", "write", lambda s: f"{API}/instructions/{s.instruction.pk}/decision",
          lambda s: {"accept": True, "reason": "越权"}, instruction_state),
    Probe("api-instruction-response", "write", lambda s: f"{API}/instructions/{s.instruction.pk}/response",
          lambda s: {"response": "越权"}, instruction_state),
    Probe("api-token", "public", lambda s: f"{API}/auth/token"),
    Probe("api-schema", "public", lambda s: "/api/schema/"),
    Probe("api-swagger", "public", lambda s: "/api/schema/swagger/"),
    Probe("api-redoc", "public", lambda s: "/api/schema/redoc/"),
    Probe("tiles-catalogue", "public", lambda s: "/tiles/catalogue.json"),
    Probe("tiles-raster", "public", lambda s: "/tiles/raster/dem/{}/{}/{}.png".format(*tile_of(s, 14))),  # terrain
    Probe("tiles-vector", "tiles", lambda s: "/tiles/{{tileset}}/{}/{}/{}.mvt".format(*tile_of(s))),
    Probe("open311-services", "public", lambda s: "/open311/v2/services.json"),
    Probe("open311-requests", "list", lambda s: "/open311/v2/requests.json"),
    Probe("open311-request", "object", lambda s: f"/open311/v2/requests/{s.event.pk}.json"),
    Probe("import-new", "list", lambda s: "/imports/new"),
    Probe("import-new", "write", lambda s: "/imports/new",
          lambda s: {"file": io.BytesIO(b'{"type": "FeatureCollection", "features": []}'), "target": "business_grids",
                     "department": s.department.code}, lambda s: ImportJob.objects.count(), label="post", form=True),
    Probe("import-job", "object", lambda s: f"/imports/{s.job.pk}"),
    Probe("export", "list", lambda s: "/exports/"),
    Probe("map", "list", lambda s: "/"),
    Probe("coverage-map", "list", lambda s: "/coverage"),
    Probe("plan", "object", lambda s: f"/plan/{s.community.code}"),
    Probe("alignment", "list", lambda s: "/alignment/"),
    Probe("alignment-department", "object", lambda s: f"/alignment/{s.department.code}"),
    Probe("circles", "list", lambda s: "/circles/"),
    Probe("editor-home", "list", lambda s: "/editor/"),
    Probe("editor", "object", lambda s: f"/editor/{s.community.code}"),
    Probe("adjustments", "list", lambda s: "/adjustments/"),
    Probe("dashboard", "list", lambda s: "/dashboard/"),
    Probe("dashboard-export", "list", lambda s: "/dashboard/export.xlsx"),
    Probe("report", "list", lambda s: "/report/"),
    Probe("report-mine", "list", lambda s: "/report/mine"),
    Probe("events", "list", lambda s: "/events/"),
    Probe("events-unplaced", "list", lambda s: "/events/unplaced"),
    Probe("events-hotline", "list", lambda s: "/events/hotline"),
    Probe("events-hotline-batch", "object", lambda s: f"/events/hotline/{s.hotline_job.pk}"),
    Probe("event", "object", lambda s: f"/events/{s.event.pk}"),
    Probe("event-photo", "object", lambda s: f"/events/{s.event.pk}/photos/{s.photo.pk}"),
)


# ---- the admin: changelist and change page of every registered model ---------------------------------------

def admin_base(model) -> str:
    return f"/admin/{model._meta.app_label}/{model._meta.model_name}/"


# Admins deliberately not scoped: one for everyone (read by clerks, edited by superusers or not at all).
SHARED_ADMINS = {EventCategory, WalkingNetwork, CalendarDay, CalendarYear, GridTask, Generation}


def foreign_row(model, model_admin, s: Street):
    """A row the street's clerk sees in the admin and the other street's clerk does not (for users and their
    scopes, the street's clerk)."""
    if model is User:
        return s.clerk
    if model is UserScope:
        return s.clerk.scope
    if not isinstance(model_admin, AreaScopedAdmin):
        return None
    clerk_other = User.objects.get(username="street2" if s.code == STREET_CODE else "street")
    own = model_admin.scope_queryset(model._default_manager.all(), s.clerk)
    return own.exclude(pk__in=model_admin.scope_queryset(model._default_manager.all(), clerk_other)
                       .values("pk")).order_by("pk").first()


ADMIN_MODELS = sorted(admin.site._registry.items(), key=lambda item: admin_base(item[0]))
ADMIN_PROBES = tuple(
    (f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", model, model_admin, page)
    for model, model_admin in ADMIN_MODELS for page in ("changelist", "change")
)
ADMIN_PAGES = ("/admin/", "/admin/login/")  # the index and login: no model data


# ---- checks -------------------------------------------------------------------------------------------------

def body_text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content.startswith(b"PK"):  # a workbook
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
        return " ".join(str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row if v)
    return content.decode("utf-8", errors="replace")


def refused(response, role: str) -> bool:
    if response.status_code in REFUSED:
        return True
    location = response.get("Location", "")
    return response.status_code == 302 and ("/login/" in location or location.rstrip("/") in ("/admin", ""))


def assert_hidden(response, s: Street, where: str) -> None:
    if response.status_code in REFUSED or response.status_code == 302:
        return
    assert response.status_code == 200, where
    text = body_text(response)
    shown = [marker for marker in s.markers if marker in text]
    assert not shown, f"{where} shows {shown} of {s.code}"


def request(client: Client, probe: Probe, s: Street):
    url = probe.path(s)
    if probe.data is None:
        return url, client.get(url)
    data = probe.data(s)
    if any(isinstance(v, io.BytesIO) for v in data.values()):
        return url, client.post(url, data)
    return url, client.post(url, data, content_type="application/json")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("probe", PROBES, ids=lambda p: p.id)
def test_url_x_role(probe: Probe, role: str, streets):
    s = streets[target_street(role)]
    client = client_for(role)
    if probe.kind == "tiles":
        return check_tiles(client, probe, s, role)
    before = probe.state(s) if probe.state else None
    url, response = request(client, probe, s)
    where = f"{probe.id} {url} as {role}"
    assert response.status_code < 500, where
    if role == "admin" or probe.kind == "public":
        return
    if probe.kind == "object":
        assert refused(response, role), f"{where}: {response.status_code}"
        assert_hidden(response, s, where)
    elif probe.kind == "list":
        assert_hidden(response, s, where)
    elif probe.kind == "write":
        assert refused(response, role) or (probe.form and response.status_code == 200), \
            f"{where}: {response.status_code} {body_text(response)[:200]}"
        assert probe.state(s) == before, f"{where} changed something"


def check_tiles(client: Client, probe: Probe, s: Street, role: str) -> None:
    """Every scoped tileset over the street's grid: no features for anyone but its own people and admin."""
    for name, tileset in TILESETS.items():
        url = probe.path(s).format(tileset=name)
        response = client.get(url)
        assert response.status_code < 500, url
        if role == "admin" or tileset.public or response.status_code != 200:
            continue
        layers = mapbox_vector_tile.decode(response.content)
        features = {layer: len(data["features"]) for layer, data in layers.items() if data["features"]}
        assert not features, f"{url} as {role} shows {features} of {s.code}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name, model, model_admin, page", ADMIN_PROBES, ids=[p[0] for p in ADMIN_PROBES])
def test_admin_x_role(name, model, model_admin, page, role, streets):
    s = streets[target_street(role)]
    client = client_for(role)
    row = foreign_row(model, model_admin, s)
    if page == "changelist":
        response = client.get(admin_base(model))
        assert response.status_code < 500, name
        if role == "admin":
            return
        scoped = isinstance(model_admin, AreaScopedAdmin) or model in SHARED_ADMINS
        if role == "anonymous" or not User.objects.get(username=role).is_staff or not scoped:
            assert refused(response, role), f"{name} as {role}: {response.status_code}"
        elif row is not None and response.status_code == 200:
            assert not response.context["cl"].queryset.filter(pk=row.pk).exists(), f"{name} lists {row!r} as {role}"
        return
    if row is None:
        why = "none in the demo" if isinstance(model_admin, AreaScopedAdmin) else "not scoped"
        pytest.skip(f"{model.__name__}: no row scoped to one street ({why})")
    for suffix in ("change/", "history/", "delete/"):
        url = f"{admin_base(model)}{row.pk}/{suffix}"
        response = client.get(url)
        assert response.status_code < 500, url
        if role != "admin":
            assert refused(response, role), f"{url} as {role}: {response.status_code}"


def url_names(patterns, admin_too: bool = False) -> set[str]:
    names = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin" and not admin_too:
                continue
            names |= url_names(pattern.url_patterns, admin_too)
        elif isinstance(pattern, URLPattern):
            assert pattern.name, f"unnamed URL pattern {pattern.pattern}: name it and add it to the matrix"
            names.add(pattern.name)
    return names


def test_the_matrix_covers_every_url(capsys):
    """Every URL pattern has a probe, every registered model its admin pages; prints the matrix size."""
    names = url_names(get_resolver().url_patterns)
    assert names == {probe.name for probe in PROBES}
    assert {(model, page) for _, model, _, page in ADMIN_PROBES} == {
        (model, page) for model in admin.site._registry for page in ("changelist", "change")}
    pairs = (len(PROBES) + len(ADMIN_PROBES)) * len(ROLES)
    with capsys.disabled():
        print(f"\nisolation matrix: {len(names)} URL patterns in {len(PROBES)} probes and {len(ADMIN_PROBES)} admin "
              f"pages of {len(admin.site._registry)} models x {len(ROLES)} roles = {pairs} URL x role pairs")
    assert pairs >= 7 * (len(names) + 2 * len(admin.site._registry))


# ---- routing and the import page across streets ----------------------------------------------------------------

@pytest.mark.parametrize("code", sorted(STREETS))
def test_a_ticket_is_routed_to_its_own_streets_police(code, streets):
    """归口办理 rows per street: a 治安 ticket in each street goes to that street's police, not street 1's."""
    s = streets[code]
    event = Event(location=s.grid.geom.point_on_surface, category=EventCategory.objects.get(code="0701"),
                  description="测试")
    route(event)
    assert event.street == s.area and event.department == s.department


def test_load_event_defaults_gives_a_street_its_own_rows(streets):
    out = io.StringIO()
    call_command("load_event_defaults", STREET2_CODE, stdout=out)
    assert "归口办理 0 条" in out.getvalue()  # already installed by the demo: nothing new
    street = streets[STREET2_CODE].area
    rows = Responsibility.objects.filter(area=street).select_related("department")
    assert rows.count() >= 17 and all(r.department.code.startswith(STREET2_CODE[:9]) for r in rows)
    assert not Responsibility.objects.filter(area__isnull=True).exists()


@pytest.mark.parametrize("username, own", [("street", STREET_CODE), ("street2", STREET2_CODE),
                                           ("police", STREET_CODE), ("police2", STREET2_CODE)])
def test_the_import_page_offers_only_the_users_departments(username, own):
    user = User.objects.get(username=username)
    offered = ImportForm(user=user).fields["department"].queryset
    assert offered.exists() and all(d.code.startswith(own[:9]) for d in offered)
    if user.scope.department_id:
        assert list(offered) == [user.scope.department]


def test_department_users_do_not_read_their_streets_change_requests(streets):
    """§2: a police user reads no change request of its street (they are the street's grid business)."""
    s = streets[STREET_CODE]
    client = client_for("police")
    assert client.get(f"{API}/adjustments/requests/{s.request.pk}").status_code in (403, 404)
    listed = client.get(f"{API}/adjustments/requests")
    assert listed.status_code in REFUSED or s.request.reason not in listed.content.decode()


# ---- workflow steps that reach into the other street (§2) --------------------------------------------------

def post_step(client: Client, event: Event, **data):
    return client.post(f"{API}/events/{event.pk}/transitions", data, content_type="application/json")


@pytest.mark.parametrize("username", ["street", "street2"])
def test_dispatch_only_to_units_serving_the_tickets_street(username, streets):
    own = streets[HOME[username]]
    other = streets[OTHER[HOME[username]]]
    client = client_for(username)
    assert post_step(client, own.event, action="accept").status_code == 200
    response = post_step(client, own.event, action="dispatch", department=other.department.code)
    assert response.status_code in (400, 403, 404), response.content.decode()
    event = Event.objects.get(pk=own.event.pk)
    assert event.status == Event.Status.ACCEPTED and event.department != other.department
    assert not EventTransition.objects.filter(event=event, action="dispatch").exists()


@pytest.mark.parametrize("username", ["street", "admin"])
def test_merge_only_into_a_visible_ticket_of_the_same_street(username, streets):
    """A street centre cannot merge its ticket into one it may not see; nobody (not even a superuser) merges
    tickets of two streets."""
    own, other = streets[STREET_CODE], streets[STREET2_CODE]
    response = post_step(client_for(username), own.event, action="merge", into=other.event.pk)
    assert response.status_code in (400, 403, 404), response.content.decode()
    event = Event.objects.get(pk=own.event.pk)
    assert event.merged_into_id is None and event.status == Event.Status.REPORTED
