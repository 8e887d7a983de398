"""12345 hotline batches on the demo town: addresses matched to buildings (width, spacing and prefix variants;
never a guess between two), the queue of unmatched tickets, idempotent re-imports, all-or-nothing batches,
and placing a queued ticket on the map (service, API and page)."""
import csv
import io
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from openpyxl import Workbook
from rest_framework.test import APIClient

from geogrid.areas.models import Area
from geogrid.buildings.models import Building
from geogrid.core.crs import parse_point
from geogrid.demo.town import STREET_CODE, STREET_NAME
from geogrid.departments.models import Department
from geogrid.events import services
from geogrid.buildings.addresses import AddressIndex
from geogrid.hotline.readers import COLUMNS, HotlineError, parse_received
from geogrid.hotline.services import import_batch
from geogrid.events.models import Event
from geogrid.events.workflow import TransitionError
from geogrid.grids.models import Grid
from tests.helpers import interior_point_of

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
HEADER = [c.name for c in COLUMNS]
POLICE = f"{STREET_CODE[:9]}-PCS"  # 归口办理 of 0701 (public order)
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with open(path, "w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def row(ticket: str, address: str, category: str = "0101", when: str = "2026-03-02 09:30") -> list[str]:
    return [ticket, when, category, f"市民反映：{address or '某处'}垃圾堆积", address, "王先生", "13900001111"]


def numbered_buildings(count: int) -> list[Building]:
    """Urban buildings with a road-and-number address ("城关街道解放路32号"), each in a different level-1 grid."""
    found, grids = [], set()
    for building in Building.objects.filter(address__regex=r"路[0-9]+号$").order_by("address"):
        if building.grid_l1_id not in grids:
            found.append(building)
            grids.add(building.grid_l1_id)
        if len(found) == count:
            return found
    raise AssertionError("the demo town has too few numbered buildings")


def finest_grid(building: Building) -> Grid:
    return building.grid_l3 or building.grid_l2 or building.grid_l1


def bare(address: str) -> str:
    """The address without our street's name, as a caller who names no street would say it."""
    assert address.startswith(STREET_NAME)
    return address[len(STREET_NAME):]


@pytest.fixture
def batch(tmp_path):
    """One batch of each kind of address: exact, full-width and spaced, prefixed with province, prefecture
    and county (two spellings), an estate unit (level-3 grid), unmatched, ambiguous, and one with none."""
    plain, wide, prefixed, short_prefixed, twin = numbered_buildings(5)
    estate = Building.objects.get(address=f"{STREET_NAME}和平小区1栋2单元")
    # A second building with twin's address written without the street: the same place for a caller.
    Building.objects.create(address=bare(twin.address), point=plain.point, community=twin.community)
    spaced = " ".join(wide.address[:4]) + "  " + wide.address[4:].translate(FULL_WIDTH)  # "城 关 街 道  解放路３２号"
    rows = [
        row("A-1", plain.address),
        row("A-2", spaced, category="暴露垃圾"),
        row("A-3", "贵州省黔东南苗族侗族自治州三穗县" + bare(prefixed.address)),
        row("A-4", "贵州黔东南州三穗县" + short_prefixed.address),
        row("A-5", estate.address),
        row("A-6", f"{STREET_NAME}幸福路999号"),
        row("A-7", twin.address),
        row("A-8", ""),
    ]
    path = write_csv(tmp_path / "hotline.csv", rows)
    expected = {"A-1": plain, "A-2": wide, "A-3": prefixed, "A-4": short_prefixed, "A-5": estate}
    return path, expected


def by_ticket(ticket: str) -> Event:
    return Event.objects.select_related("grid", "street", "department").get(client_id=f"12345:{ticket}")


def test_a_batch_is_located_by_building_address_and_the_rest_waits_in_the_street_queue(batch):
    path, expected = batch
    result = import_batch(path, street=Area.objects.get(code=STREET_CODE))  # the demo has two streets
    assert (result.rows, result.matched, result.unmatched, result.ambiguous, result.duplicates) == (8, 5, 3, 1, 0)
    for ticket, building in expected.items():
        event = by_ticket(ticket)
        assert event.location == building.point, ticket
        assert event.grid == finest_grid(building), ticket
        assert (event.source, event.status, event.raw_crs) == ("hotline", "reported", "cgcs2000")
        assert event.department is not None and event.street.code == STREET_CODE
    assert by_ticket("A-2").category.code == "0101"  # by name
    assert by_ticket("A-1").reported_at == datetime(2026, 3, 2, 9, 30, tzinfo=SHANGHAI)
    assert by_ticket("A-1").reporter_phone == "13900001111"
    for ticket in ("A-6", "A-7", "A-8"):
        waiting = by_ticket(ticket)
        assert waiting.location is None and waiting.grid is None, ticket
        assert waiting.street.code == STREET_CODE and "待人工" in waiting.routing_note
    assert [(line, reason.split(" / ")[1]) for line, _, reason in result.waiting] == [
        (7, "no building has this address"), (8, "2 buildings have this address"), (9, "no address")]


def test_a_re_imported_batch_files_nothing_twice(batch):
    path, _ = batch
    import_batch(path)
    before = Event.objects.count()
    again = import_batch(path)
    assert (again.matched, again.unmatched, again.duplicates) == (0, 0, 8)
    assert Event.objects.count() == before
    assert Event.objects.filter(client_id="12345:A-1").count() == 1


def test_the_same_ticket_twice_in_one_batch_is_one_ticket(tmp_path):
    building = numbered_buildings(1)[0]
    result = import_batch(write_csv(tmp_path / "twice.csv", [row("T-1", building.address), row("T-1", building.address)]))
    assert (result.matched, result.duplicates) == (1, 1)


def test_a_bad_row_rolls_back_the_whole_batch_and_says_which_row(batch, tmp_path):
    path, _ = batch
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))[1:]
    rows.insert(2, row("A-99", "城关街道解放路1号", category="飞碟降落"))
    rows.append(row("A-100", "城关街道解放路1号", when="三月二日"))
    before = Event.objects.count()
    with pytest.raises(HotlineError) as refused:
        import_batch(write_csv(tmp_path / "bad.csv", rows))
    assert refused.value.errors == [
        "第 4 行：诉求分类“飞碟降落”不是启用的事件分类代码或名称 / row 4: unknown category '飞碟降落'",
        "第 11 行：受理时间“三月二日”无法识别（如 2025-03-01 09:30） / row 11: unreadable time",
    ]
    assert Event.objects.count() == before
    assert not Event.objects.filter(client_id__startswith="12345:A-").exists()


def test_the_command_reads_xlsx_with_a_mapped_column_and_a_dry_run_writes_nothing(tmp_path):
    building = numbered_buildings(1)[0]
    book = Workbook()
    sheet = book.active
    sheet.append(["工单编号", "受理时间", "诉求分类", "诉求内容", "事发地址", "来电人", "联系电话"])
    sheet.append([202603020001, datetime(2026, 3, 2, 8, 15), "0102", "占道经营", building.address, "李女士", 13800002222])
    sheet.append([202603020002, datetime(2026, 3, 2, 8, 20), "0102", "占道经营", "城关街道无名路1号", None, None])
    book.save(tmp_path / "batch.xlsx")
    out = io.StringIO()
    call_command("import_hotline", str(tmp_path / "batch.xlsx"), "--map", "地址=事发地址", "--dry-run", stdout=out,
                 verbosity=0)
    assert "matched 1, 待定位 unmatched 1 (地址重复 ambiguous 0), 重复工单 duplicate 0" in out.getvalue()
    assert not Event.objects.filter(client_id__startswith="12345:2026").exists()
    call_command("import_hotline", str(tmp_path / "batch.xlsx"), "--map", "地址=事发地址", stdout=out, verbosity=0)
    event = Event.objects.get(client_id="12345:202603020001")
    assert event.reporter_phone == "13800002222" and event.grid == finest_grid(building)
    with pytest.raises(CommandError, match="nothing was written"):
        call_command("import_hotline", str(tmp_path / "batch.xlsx"), "--map", "地址=事发位置", stdout=out,
                     stderr=io.StringIO(), verbosity=0)


@pytest.mark.parametrize("variant", [
    "城关街道人民大道44号", "人民大道44号", "三穗县人民大道44号", "贵州省三穗县城关街道人民大道44号",
    "贵州三穗县人民大道44号", "黔东南州三穗县城关街道人民大道４４号", "城关街道　人民大道 44 号",
])
def test_address_variants_normalise_to_one_key(variant):
    street = Area.objects.get(code=STREET_CODE)
    index = AddressIndex()
    assert index.key(variant) in {(street.pk, "人民大道44号"), (None, "人民大道44号")}


@pytest.mark.parametrize("address", ["贵州路12号", "人民大道44号附近", "人民大道四十四号", "三穗人民大道44号"])
def test_nothing_beyond_the_documented_rules_is_rewritten(address):
    assert AddressIndex().key(address)[1] == address


# ---- placing a queued ticket ---------------------------------------------------------------------------------

def queued(tmp_path, ticket: str = "Q-1") -> Event:
    import_batch(write_csv(tmp_path / f"{ticket}.csv", [row(ticket, f"{STREET_NAME}幸福路999号", category="0701")]))
    return by_ticket(ticket)


def test_placing_a_queued_ticket_routes_it_and_records_the_step(tmp_path):
    event = queued(tmp_path)
    grid = Grid.objects.current().filter(level=1, children__isnull=True).order_by("code").first()
    lon, lat = interior_point_of(grid.code)
    placed = services.place(event_id=event.pk, point=parse_point(lon, lat, "wgs84"),
                            user=User.objects.get(username="street"), note="电话核实")
    assert placed.grid == grid and placed.community == grid.community and placed.street.code == STREET_CODE
    assert placed.department.code == POLICE and placed.status == "reported"
    assert (placed.raw_x, placed.raw_y, placed.raw_crs) == (lon, lat, "wgs84")
    step = placed.transitions.get(action="place")
    assert (step.from_status, step.to_status, step.note, step.actor.username) == ("reported", "reported", "电话核实", "street")
    assert step.data["grid"] == grid.code and step.data["before"] is None
    assert list(placed.transitions.values_list("action", flat=True)) == ["report", "place"]


def test_only_the_centre_places_and_only_before_dispatch(tmp_path):
    event = queued(tmp_path)
    lon, lat = interior_point_of(Grid.objects.current().filter(level=1).order_by("code").first().code)
    point = parse_point(lon, lat)
    with pytest.raises(TransitionError) as info:
        services.place(event_id=event.pk, point=point, user=User.objects.get(username="community"))
    assert (info.value.code, info.value.status) == ("not_your_role", 403)
    street = User.objects.get(username="street")
    services.transition(event_id=event.pk, action="accept", user=street)
    services.transition(event_id=event.pk, action="dispatch", user=street)
    with pytest.raises(TransitionError) as info:
        services.place(event_id=event.pk, point=point, user=street)
    assert info.value.code == "action_not_allowed"
    assert Event.objects.get(pk=event.pk).location is None


def test_the_place_api_answers_with_the_routing(tmp_path):
    event = queued(tmp_path)
    grid = Grid.objects.current().filter(level=1).order_by("code").first()
    lon, lat = interior_point_of(grid.code)
    client = APIClient()
    client.force_authenticate(User.objects.get(username="street"))
    bad = client.post(f"/api/v1/events/{event.pk}/place", {"lon": "x", "lat": lat}, format="json")
    assert bad.status_code == 400 and (bad.json()["code"], bad.json()["field"]) == ("invalid", "lon")
    done = client.post(f"/api/v1/events/{event.pk}/place", {"lon": lon, "lat": lat, "crs": "cgcs2000"}, format="json")
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["grid"]["code"] == finest_grid_at(lon, lat).code
    assert body["department"] == Department.objects.get(code=POLICE).name
    police = APIClient()
    police.force_authenticate(User.objects.get(username="police"))
    refused = police.post(f"/api/v1/events/{event.pk}/place", {"lon": lon, "lat": lat}, format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "not_your_role"  # its unit, not the centre


def finest_grid_at(lon: float, lat: float) -> Grid:
    return Grid.objects.current().filter(geom__covers=parse_point(lon, lat).point).order_by("-level").first()


def test_the_queue_page_lists_unplaced_tickets_for_the_centre_only(tmp_path, client):
    event = queued(tmp_path)
    client.force_login(User.objects.get(username="street"))
    page = client.get("/events/unplaced")
    assert page.status_code == 200 and event in list(page.context["events"])
    assert f'data-id="{event.pk}"' in page.content.decode()
    client.force_login(User.objects.get(username="police"))
    page = client.get("/events/unplaced")
    assert page.context["may_place"] is False and "仅网格管理中心可为工单定位" in page.content.decode()


@pytest.mark.parametrize("text, expected", [
    ("2026-03-02 09:30", datetime(2026, 3, 2, 9, 30)),
    ("2026-3-1 10:30", datetime(2026, 3, 1, 10, 30)),
    ("2026/3/1 9:30:15", datetime(2026, 3, 1, 9, 30, 15)),
    ("２０２６年３月１日 ９时３０分", datetime(2026, 3, 1, 9, 30)),
    ("2026年3月1日9时30分", datetime(2026, 3, 1, 9, 30)),
    ("2026-03-02T09:30:00+08:00", datetime(2026, 3, 2, 9, 30)),
    ("2026.3.2", datetime(2026, 3, 2)),
    ("2026-02-30 09:00", None),
    ("昨天上午", None),
])
def test_received_times_in_the_usual_spellings(text, expected):
    parsed = parse_received(text)
    assert parsed == (expected.replace(tzinfo=SHANGHAI) if expected else None)
