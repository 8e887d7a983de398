"""Top-down instructions (部门指令): only listed work reaches grids; one about a person outside the grid is
returned with the reason; the centre decides; the grid's worker responds."""
import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from geogrid.buildings.models import Building
from geogrid.demo.town import STREET2_CODE
from geogrid.grids.models import Grid
from geogrid.instructions.models import GridTask, Instruction
from tests.demo_facts import COMMUNITY

pytestmark = pytest.mark.django_db


def client_for(username: str) -> APIClient:
    client = APIClient()
    client.force_authenticate(User.objects.get(username=username))
    return client


def grid_with_a_building() -> tuple[Grid, Building]:
    building = Building.objects.filter(grid_l1__isnull=False, grid_l1__community__code=COMMUNITY) \
        .order_by("address").first()
    return building.grid_l1, building


def send(**fields):
    grid, _ = grid_with_a_building()
    return client_for("police").post("/api/v1/instructions/", {"grid": grid.code, "task": "08",
                                                               "content": "排查出租屋消防隐患", **fields}, format="json")


def test_the_default_task_list_is_seed_001s_appendix():
    assert GridTask.objects.count() == 12
    assert GridTask.objects.get(code="07").name == "秸秆禁烧"


def test_work_off_the_task_list_is_returned_at_once():
    response = send(task="")
    assert response.status_code == 201
    assert response.json()["status"] == "refused" and "准入清单" in response.json()["reason"]


def test_an_instruction_about_a_resident_of_the_grid_goes_to_the_centre_with_the_building_matched():
    grid, building = grid_with_a_building()
    address = building.address.replace("1", "１")  # typed with a full-width digit, as happens
    response = send(person_name="张三", person_address=address)
    body = response.json()
    assert body["status"] == "pending", body
    assert body["person"] == "张*"  # masked in lists
    assert Instruction.objects.get(pk=body["id"]).person_building == building


def test_an_instruction_about_a_person_living_in_another_grid_is_returned_with_where_they_live():
    grid, _ = grid_with_a_building()
    elsewhere = Building.objects.exclude(grid_l1=grid).filter(grid_l1__isnull=False).order_by("address").first()
    body = send(person_name="李四", person_address=elsewhere.address).json()
    assert body["status"] == "refused"
    assert elsewhere.grid_l1.code in body["reason"]
    body = send(person_name="王五", person_address="不存在路999号").json()
    assert body["status"] == "refused" and "未能匹配" in body["reason"]


def test_the_centre_decides_and_the_grid_responds_others_may_not():
    pk = send().json()["id"]
    for username in ("police", "community"):
        refused = client_for(username).post(f"/api/v1/instructions/{pk}/decision", {"accept": True})
        assert (refused.status_code, refused.json()["code"]) == (403, "not_your_role")
    accepted = client_for("street").post(f"/api/v1/instructions/{pk}/decision", {"accept": True}, format="json")
    assert accepted.json()["status"] == "accepted"
    again = client_for("street").post(f"/api/v1/instructions/{pk}/decision", {"accept": True}, format="json")
    assert (again.status_code, again.json()["code"]) == (400, "already_decided")
    done = client_for("community").post(f"/api/v1/instructions/{pk}/response", {"response": "已排查 12 户"},
                                        format="json")
    assert done.json()["status"] == "done"


def test_only_department_users_send_and_each_sees_its_own():
    assert client_for("community").post("/api/v1/instructions/", {"grid": "x"}, format="json").status_code == 403
    pk = send().json()["id"]
    assert pk in {i["id"] for i in client_for("police").get("/api/v1/instructions/").json()}
    assert pk in {i["id"] for i in client_for("street").get("/api/v1/instructions/").json()}


def test_a_department_instructs_only_grids_inside_its_area():
    """The first street's police station cannot send to the second street's grids."""
    other = Grid.objects.current().filter(level=1, community__parent__code=STREET2_CODE).order_by("code").first()
    count = Instruction.objects.count()
    response = client_for("police").post("/api/v1/instructions/", {"grid": other.code, "task": "08",
                                                                   "content": "越界指令"}, format="json")
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("grid_outside_department", "grid")
    assert Instruction.objects.count() == count
