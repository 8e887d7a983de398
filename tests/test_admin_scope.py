"""The admin keeps a scoped clerk inside its area (geogrid.accounts.admin_scope): lists, change pages,
choices and autocomplete; scopes themselves are for superusers only."""
import pytest
from django.contrib.auth.models import Group, Permission, User

from geogrid.accounts.models import UserScope
from geogrid.areas.models import Area
from geogrid.core.masking import mask_phone
from geogrid.demo.services import STREET_GROUP
from geogrid.demo.town import STREET2_CODE, STREET_CODE
from geogrid.departments.models import Department
from geogrid.events.models import Event, EventCategory, Responsibility
from geogrid.grids.models import Grid
from geogrid.staff.models import StaffMember
from tests.helpers import interior_point_of

pytestmark = pytest.mark.django_db

GRIDS = "/admin/grids/grid/"
STAFF = "/admin/staff/staffmember/"


@pytest.fixture
def other_street() -> Grid:
    """A current grid of the demo's second street."""
    return Grid.objects.current().in_area(STREET2_CODE).order_by("code").first()


@pytest.fixture
def community() -> Area:
    """A demo community other than the demo `community` user's, with grids and staff."""
    return Area.objects.communities().filter(grids__staff__isnull=False).exclude(
        code=User.objects.get(username="community").scope.area.code).order_by("code").first()


@pytest.fixture
def clerk(community) -> User:
    """A staff user of the street group scoped to one community."""
    user = User.objects.create_user("clerk", is_staff=True)
    user.groups.add(Group.objects.get(name=STREET_GROUP))
    UserScope.objects.create(user=user, area=community)
    return user


def changelist(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, url
    return response.context["cl"].queryset


def test_street_user_has_the_street_group_without_scopes_or_deletes():
    street = User.objects.get(username="street")
    assert list(street.groups.values_list("name", flat=True)) == [STREET_GROUP]
    assert street.has_perm("grids.change_grid") and street.has_perm("staff.add_staffmember")
    assert street.has_perm("areas.view_area") and not street.has_perm("areas.change_area")
    assert not any(p.startswith("accounts.") for p in street.get_all_permissions())
    assert not any(p.split(".")[1].startswith("delete_") for p in street.get_all_permissions())


def test_street_user_sees_exactly_the_streets_current_grids(client, other_street):
    client.force_login(User.objects.get(username="street"))
    assert "网格" in client.get("/admin/").content.decode()  # no longer an empty admin
    codes = set(changelist(client, GRIDS).values_list("code", flat=True))
    assert codes == set(Grid.objects.current().in_area(STREET_CODE).values_list("code", flat=True))
    assert other_street.code not in codes and Grid.objects.current().filter(code=other_street.code).exists()
    assert client.get(f"{GRIDS}{other_street.pk}/change/").status_code != 200


def test_superuser_sees_every_grid(client, other_street):
    client.force_login(User.objects.get(username="admin"))
    assert changelist(client, GRIDS).filter(code=other_street.code).exists()
    assert client.get(f"{GRIDS}{other_street.pk}/change/").status_code == 200


def test_community_clerk_lists_only_its_community(client, clerk, community):
    client.force_login(clerk)
    grids = list(changelist(client, GRIDS, version="all").values_list("code", flat=True))
    assert grids and all(code.startswith(community.code) for code in grids)
    assert set(grids) == set(Grid.objects.filter(community=community).values_list("code", flat=True))

    members = changelist(client, STAFF)
    expected = StaffMember.objects.filter(grids__community=community).distinct()
    assert members.count() == expected.count() > 0
    assert members.count() < StaffMember.objects.count()
    for member in members:
        assert any(g.community.code.startswith(community.code) for g in member.grids.select_related("community"))


def test_community_clerk_cannot_open_another_communitys_rows(client, clerk, community):
    client.force_login(clerk)
    grid = Grid.objects.current().exclude(community=community).order_by("code").first()
    assert client.get(f"{GRIDS}{grid.pk}/change/").status_code in (302, 403, 404)
    member = StaffMember.objects.exclude(phone="").exclude(grids__community=community).order_by("name").first()
    response = client.get(f"{STAFF}{member.pk}/change/", follow=True)
    assert member.phone not in response.content.decode()
    assert client.get(f"{STAFF}{member.pk}/change/").status_code in (302, 403, 404)
    own = StaffMember.objects.exclude(phone="").filter(grids__community=community).order_by("name").first()
    assert own.phone in client.get(f"{STAFF}{own.pk}/change/").content.decode()


def test_community_clerk_cannot_change_another_communitys_grid_by_post(client, clerk, community):
    client.force_login(clerk)
    grid = Grid.objects.current().exclude(community=community).order_by("code").first()
    response = client.post(f"{GRIDS}{grid.pk}/change/", {"name": "改名"})
    assert response.status_code in (302, 403, 404)
    grid.refresh_from_db()
    assert grid.name != "改名"


def test_community_clerk_cannot_open_user_scopes_or_users(client, clerk):
    client.force_login(clerk)
    clerk.user_permissions.add(*Permission.objects.filter(content_type__app_label__in=["accounts", "auth"]))
    clerk = User.objects.get(pk=clerk.pk)  # fresh permission cache
    assert clerk.has_perm("accounts.change_userscope")  # model permissions are not enough
    assert client.get("/admin/accounts/userscope/").status_code == 403
    assert client.get(f"/admin/accounts/userscope/{clerk.scope.pk}/change/").status_code == 403
    street = Area.objects.get(code=STREET_CODE)
    response = client.post(f"/admin/accounts/userscope/{clerk.scope.pk}/change/",
                           {"user": clerk.pk, "area": street.pk})
    assert response.status_code == 403
    assert UserScope.objects.get(user=clerk).area.code != STREET_CODE
    assert client.get("/admin/auth/user/").status_code == 403
    assert "accounts/userscope" not in client.get("/admin/").content.decode()


def test_community_clerk_chooses_only_its_community(client, clerk, community):
    client.force_login(clerk)
    response = client.get(f"{GRIDS}add/")
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert list(form.fields["community"].queryset) == [community]
    assert set(form.fields["parent"].queryset.values_list("community", flat=True)) == {community.pk}

    other = Area.objects.communities().exclude(pk=community.pk).order_by("code").first()
    response = client.post(f"{GRIDS}add/", {"code": other.code + "999", "name": "越权网格", "level": 1,
                                            "community": other.pk, "kind": "comprehensive", "setting": "urban"})
    assert "community" in response.context["adminform"].form.errors
    assert not Grid.objects.filter(code=other.code + "999").exists()

    results = client.get("/admin/autocomplete/", {"app_label": "grids", "model_name": "grid",
                                                   "field_name": "community", "term": ""}).json()["results"]
    assert [r["id"] for r in results] == [str(community.pk)]
    results = client.get("/admin/autocomplete/", {"app_label": "staff", "model_name": "staffmember",
                                                   "field_name": "grids", "term": ""}).json()["results"]
    assert results and {Grid.objects.get(pk=r["id"]).community_id for r in results} == {community.pk}


def test_community_clerk_keeps_a_street_departments_member_in_its_grids(client, clerk, community):
    """A community's 部门一线人员 work for the street's departments: those stay choosable (form and autocomplete)."""
    member = StaffMember.objects.filter(department__isnull=False, grids__community=community).first()
    if member is None:  # the demo's department people serve one urban community: give one to this one
        member = StaffMember.objects.filter(department__isnull=False).order_by("name").first()
        member.grids.add(Grid.objects.current().filter(community=community).order_by("code").first())
    client.force_login(clerk)
    url = f"{STAFF}{member.pk}/change/"
    form = client.get(url).context["adminform"].form
    assert member.department in form.fields["department"].queryset
    data = {"name": "改名后", "role": member.role, "phone": member.phone, "post": member.post,
            "department": member.department_id, "grids": [g.pk for g in member.grids.all()]}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    member.refresh_from_db()
    assert member.name == "改名后" and member.department is not None
    results = client.get("/admin/autocomplete/", {"app_label": "staff", "model_name": "staffmember",
                                                   "field_name": "department", "term": ""}).json()["results"]
    assert str(member.department_id) in {r["id"] for r in results}
    assert client.get(f"/admin/departments/department/{member.department_id}/change/").status_code != 200


def test_event_saved_outside_the_scope_is_refused(client, clerk, community):
    client.force_login(clerk)
    grid = Grid.objects.current().filter(level=1).exclude(community=community).order_by("code").first()
    lon, lat = interior_point_of(grid.code)
    before = Event.objects.count()
    response = client.post("/admin/events/event/add/", {
        "location": f'{{"type": "Point", "coordinates": [{lon}, {lat}]}}',
        "category": EventCategory.objects.order_by("code").last().pk, "description": "越权上报",
        "reported_at_0": "2026-11-22", "reported_at_1": "10:00:00", "status": "reported",
    })
    assert response.status_code == 403
    assert Event.objects.count() == before


def test_department_clerk_sees_its_departments_area_with_masked_phones(client):
    department = Department.objects.get(pk=User.objects.get(username="police").scope.department_id)
    user = User.objects.create_user("dept-clerk", is_staff=True)
    user.groups.add(Group.objects.get(name=STREET_GROUP))
    UserScope.objects.create(user=user, department=department)
    client.force_login(user)
    prefix = Area.code_prefix(department.area.code)
    codes = list(changelist(client, GRIDS).values_list("code", flat=True))
    assert codes and all(code.startswith(prefix) for code in codes)
    member = StaffMember.objects.exclude(phone="").order_by("name").first()
    html = client.get(f"{STAFF}{member.pk}/change/").content.decode()
    assert member.phone not in html and mask_phone(member.phone) in html


def test_staff_user_without_a_scope_sees_nothing(client):
    user = User.objects.create_user("unscoped", is_staff=True)
    user.groups.add(Group.objects.get(name=STREET_GROUP))
    client.force_login(user)
    assert not changelist(client, GRIDS).exists()
    assert not changelist(client, STAFF).exists()


def test_every_admin_page_the_street_user_may_open_opens(client, rf):
    """Changelist, add form and the first in-scope change form of every model the street group sees."""
    from django.contrib import admin

    street = User.objects.get(username="street")
    request = rf.get("/admin/")
    request.user = street
    client.force_login(street)
    opened = []
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_view_permission(request):
            continue
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        urls = [base]
        if model_admin.has_add_permission(request):
            urls.append(f"{base}add/")
        first = model_admin.get_queryset(request).order_by("pk").first()
        if first is not None:
            urls.append(f"{base}{first.pk}/change/")
        for url in urls:
            assert client.get(url).status_code == 200, url
        opened.append(model._meta.model_name)
    assert {"grid", "building", "staffmember", "servicestation", "event", "department", "businessgrid",
            "road", "area"} <= set(opened)
    assert "userscope" not in opened and "user" not in opened


# ---- the 归口办理 table ----------------------------------------------------------------------------------

RESPONSIBILITIES = "/admin/events/responsibility/"


def street_row(street_code: str, category_code: str = "07") -> Responsibility:
    return Responsibility.objects.get(area__code=street_code, category__code=category_code)


@pytest.mark.parametrize("username, own, other", [("street", STREET_CODE, STREET2_CODE),
                                                  ("street2", STREET2_CODE, STREET_CODE)])
def test_street_clerk_lists_and_opens_only_its_streets_routing_rows(client, username, own, other):
    client.force_login(User.objects.get(username=username))
    rows = changelist(client, RESPONSIBILITIES)
    assert rows.exists() and set(rows.values_list("area__code", flat=True)) == {own}
    assert client.get(f"{RESPONSIBILITIES}{street_row(own).pk}/change/").status_code == 200
    assert client.get(f"{RESPONSIBILITIES}{street_row(other).pk}/change/").status_code in (302, 403, 404)


def test_street_clerk_cannot_reroute_another_streets_tickets_to_its_police(client):
    """The reported leak: street 1's clerk edited street 2's police row to point at street 1's police."""
    row = street_row(STREET2_CODE)
    police2 = row.department
    own_police = Department.objects.get(code=f"{STREET_CODE[:9]}-PCS")
    client.force_login(User.objects.get(username="street"))
    response = client.post(f"{RESPONSIBILITIES}{row.pk}/change/", {
        "category": row.category_id, "area": row.area_id, "department": own_police.pk, "note": "改派"})
    assert response.status_code in (302, 403, 404)
    row.refresh_from_db()
    assert row.department == police2 and row.note != "改派"


def test_street_clerk_adds_rows_only_for_its_own_areas_and_units(client):
    client.force_login(User.objects.get(username="street2"))
    category = EventCategory.objects.get(code="0702")
    own_police = Department.objects.get(code=f"{STREET2_CODE[:9]}-PCS")
    first_street = Area.objects.get(code=STREET_CODE)
    first_police = Department.objects.get(code=f"{STREET_CODE[:9]}-PCS")
    form = client.get(f"{RESPONSIBILITIES}add/").context["adminform"].form
    assert first_street not in form.fields["area"].queryset and first_police not in form.fields["department"].queryset
    attempts = [{"area": first_street.pk, "department": own_police.pk},  # another street's area
                {"area": Area.objects.get(code=STREET2_CODE).pk, "department": first_police.pk},  # its police
                {"area": "", "department": own_police.pk}]  # a default row for every street
    for attempt in attempts:
        response = client.post(f"{RESPONSIBILITIES}add/", {"category": category.pk, "note": "", **attempt})
        assert response.status_code == 200 and response.context["adminform"].form.errors, attempt
    assert not Responsibility.objects.filter(category=category).exists()
    community = Area.objects.communities().filter(parent__code=STREET2_CODE).order_by("code").first()
    response = client.post(f"{RESPONSIBILITIES}add/", {"category": category.pk, "area": community.pk,
                                                       "department": own_police.pk, "note": ""})
    assert response.status_code == 302
    assert Responsibility.objects.get(category=category).area == community


def test_street_clerk_deletes_only_its_streets_rows(client):
    clerk = User.objects.get(username="street")
    clerk.user_permissions.add(Permission.objects.get(codename="delete_responsibility"))
    client.force_login(clerk)
    other, own = street_row(STREET2_CODE, "08"), street_row(STREET_CODE, "08")
    assert client.post(f"{RESPONSIBILITIES}{other.pk}/delete/", {"post": "yes"}).status_code in (302, 403, 404)
    assert Responsibility.objects.filter(pk=other.pk).exists()
    response = client.post(RESPONSIBILITIES, {"action": "delete_selected", "_selected_action": [other.pk, own.pk],
                                              "post": "yes"})
    assert response.status_code in (200, 302)
    assert Responsibility.objects.filter(pk=other.pk).exists() and not Responsibility.objects.filter(pk=own.pk).exists()


def test_superuser_sees_every_streets_routing_rows(client):
    client.force_login(User.objects.get(username="admin"))
    codes = set(changelist(client, RESPONSIBILITIES).values_list("area__code", flat=True))
    assert {STREET_CODE, STREET2_CODE} <= codes
