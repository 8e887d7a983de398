"""The map page and grid layer need a login; users see only their own area; Leaflet is served locally."""
import re

import pytest
from django.contrib.auth.models import User
from django.contrib.staticfiles import finders
from rest_framework.test import APIClient

from geogrid.grids.models import Grid
from tests.browsing import PASSWORD

pytestmark = pytest.mark.django_db


def test_map_page_needs_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_grid_layer_needs_authentication():
    assert APIClient().get("/api/v1/grids.geojson").status_code in (401, 403)


def test_community_user_gets_only_its_own_communitys_grids():
    user = User.objects.get(username="community")
    community = user.scope.area
    client = APIClient()
    client.force_authenticate(user)
    features = client.get("/api/v1/grids.geojson").json()["features"]
    codes = [f["properties"]["code"] for f in features]
    assert codes, "the community user should see its grids"
    assert all(code.startswith(community.code) for code in codes)
    assert len(codes) == Grid.objects.current().filter(community=community).count()
    assert len(codes) < Grid.objects.current().count()


def test_map_page_uses_only_local_assets_and_shows_user_and_logout(client):
    client.force_login(User.objects.get(username="street"))
    html = client.get("/").content.decode()
    assert "/static/maps/vendor/leaflet/leaflet.js" in html
    assert "/static/maps/vendor/leaflet/leaflet.css" in html
    assert not re.search(r'(src|href)="(https?:)?//', html)  # no CDN
    assert "退出" in html and "csrfmiddlewaretoken" in html
    assert "street" in html


def test_admin_link_only_for_staff(client):
    for username in ("street", "police"):
        user = User.objects.get(username=username)
        client.force_login(user)
        assert ("管理后台" in client.get("/").content.decode()) == user.is_staff


@pytest.mark.parametrize("name", ["leaflet.js", "leaflet.css", "images/layers.png", "images/marker-icon.png"])
def test_vendored_leaflet_is_found_by_staticfiles(name):
    assert finders.find(f"maps/vendor/leaflet/{name}") is not None


def test_vendored_leaflet_is_1_9():
    with open(finders.find("maps/vendor/leaflet/leaflet.js"), encoding="utf-8") as f:
        assert "Leaflet 1.9." in f.read(200)


def test_every_admin_page_opens(client, rf):
    """Changelist, add form (where adding is allowed) and one change form of every registered model."""
    from django.contrib import admin

    superuser = User.objects.get(username="admin")
    request = rf.get("/admin/")
    request.user = superuser
    client.force_login(superuser)
    for model, model_admin in admin.site._registry.items():
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        urls = [base]
        if model_admin.has_add_permission(request):
            urls.append(f"{base}add/")
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls.append(f"{base}{first.pk}/change/")
        for url in urls:
            assert client.get(url).status_code == 200, url


def test_staff_changelist_masks_phones_and_change_form_shows_them(client):
    from geogrid.core.masking import mask_phone
    from geogrid.staff.models import StaffMember

    member = StaffMember.objects.exclude(phone="").order_by("name").first()
    client.force_login(User.objects.get(username="admin"))
    listing = client.get("/admin/staff/staffmember/", {"q": member.name}).content.decode()
    assert mask_phone(member.phone) in listing
    assert member.phone not in listing
    form = client.get(f"/admin/staff/staffmember/{member.pk}/change/").content.decode()
    assert member.phone in form


def test_admin_grid_form_has_a_leaflet_widget_without_online_tiles(client):
    grid = Grid.objects.current().order_by("code").first()
    client.force_login(User.objects.get(username="admin"))
    html = client.get(f"/admin/grids/grid/{grid.pk}/change/").content.decode()
    assert "leaflet" in html.lower() and "id_geom" in html
    assert "openstreetmap" not in html and "tile." not in html


def test_production_static_storage_accepts_the_vendored_files(tmp_path, settings):
    """The hashed, compressed storage of production post-processes every reference (leaflet.css images,
    leaflet.js's source map): a missing file would break `collectstatic` at deployment."""
    from django.core.management import call_command

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
    call_command("collectstatic", "--noinput", verbosity=0)
    assert list(tmp_path.glob("maps/vendor/leaflet/leaflet.*.js"))


def test_api_accepts_a_token_from_the_token_endpoint(client):
    response = client.post("/api/v1/auth/token", {"username": "community", "password": PASSWORD})
    token = response.json()["token"]
    features = client.get("/api/v1/grids.geojson", HTTP_AUTHORIZATION=f"Token {token}").json()["features"]
    community = User.objects.get(username="community").scope.area
    assert features and {f["properties"]["community"] for f in features} == {community.name}
