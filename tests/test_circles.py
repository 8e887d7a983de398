"""15-minute service circles: walking networks with known answers (T-junctions, snapping, slopes), the OSM
import, siting with a known optimum, and coverage of the demo town checked against independent methods."""
import math

import networkx as nx
import numpy as np
import pytest
import rasterio
import shapely
from django.contrib.auth.models import User
from django.db import connection
from rasterio.transform import Affine

from geogrid.areas.models import Area
from geogrid.buildings.models import Building
from geogrid.circles import siting
from geogrid.circles.models import BuildingReach, CircleRun, NetworkEdge, SiteSuggestion, WalkingNetwork
from geogrid.circles.network import Network, Snap, Walk, edge_costs, node_lines, tobler_factor
from geogrid.circles.selectors import coverage_table, load_network, pgrouting_reach
from geogrid.circles.services import (DEMO_NETWORK_NAME, build_network_from_osm, candidate_cover, dem_elevation,
                                      run_circles)
from geogrid.core.crs import to_area_crs
from geogrid.stations.models import ServiceStation
from tests import demo_facts as facts
from tests.demo_facts import COMMUNITY, STREET
from tests.helpers import homes


def network_of(lines, speed=1.0, elevation=None) -> Network:
    topology = node_lines(np.asarray([shapely.LineString(line) for line in lines], dtype=object))
    length, cost, reverse_cost = edge_costs(topology.pieces, speed, elevation)
    return Network(topology.source, topology.target, length, cost, reverse_cost, topology.pieces, topology.vertices)


def points(*xy) -> np.ndarray:
    return shapely.points(np.asarray(xy, dtype=float))


# ---- hand-built networks ------------------------------------------------------------------------------------

def test_walking_times_on_a_small_network_with_a_t_junction():
    # A 2 km street and a 600 m lane ending 0.3 m off its middle: the lane must join the street there.
    net = network_of([[(0, 0), (2000, 0)], [(1000, 0.3), (1000, 600)]])
    assert len(net.lines) == 3 and net.vertex_count == 4
    walk = Walk.time(net, speed=1.0)
    stations = net.snap(points((0, -20)))  # 20 m off the street's west end
    homes = net.snap(points((500, 30), (1000, 600), (1500, -10), (100, 5)))
    reach = walk.reach(stations)
    cost, nearest = walk.at_points(reach.cost, homes, stations, reach.nearest)
    # 20 m to the street + along it + off it again (the street now bends 0.3 m to meet the lane: 29.85 m
    # off at x = 500, 4.97 m at x = 100); the lane's home goes through the junction.
    assert cost == pytest.approx([20 + 500 + 29.86, 20 + 1000 + 599.7, 20 + 1500 + 10.15, 20 + 100 + 4.97], abs=0.02)
    assert nearest.tolist() == [0, 0, 0, 0]
    # A second station at the east end takes the eastern and the lane's homes (1599.7 s, not 1619.7 s); the
    # home beside the first station, on the same edge, walks straight to it.
    stations = net.snap(points((0, -20), (2000, 0)))
    reach = walk.reach(stations)
    cost, nearest = walk.at_points(reach.cost, homes, stations, reach.nearest)
    assert cost == pytest.approx([549.86, 1000 + 599.7, 500 + 10.15, 124.97], abs=0.02)
    assert nearest.tolist() == [0, 1, 1, 0]
    # The 5/10/15-minute isochrones: the 5-minute band reaches 300 - 20 = 280 m along the street (+ buffer).
    five, ten, fifteen = walk.isochrones(reach, stations, [300, 600, 900])
    assert five.contains(shapely.Point(270, 0)) and not five.contains(shapely.Point(330, 0))
    # 15 minutes: 880 m from the west station, 900 m from the east one; the junction between (1020 s and
    # 1000 s away) and the lane stay outside.
    assert fifteen.contains(shapely.MultiPoint([(850, 0), (1150, 0)]))
    assert not fifteen.intersects(shapely.MultiPoint([(1000, 0), (1000, 100)]))
    assert five.area < ten.area < fifteen.area


def test_standard_mode_counts_metres_whatever_the_speed():
    net = network_of([[(0, 0), (1000, 0)]], speed=0.5)
    walk = Walk.distance(net)
    stations = net.snap(points((0, 0)))
    reach = walk.reach(stations)
    cost, _ = walk.at_points(reach.cost, net.snap(points((300, 0), (500, 40), (990, 20))), stations, reach.nearest)
    assert cost == pytest.approx([300, 540, 1010])


@pytest.fixture
def tilted_dem(tmp_path):
    """A plane rising 10 % to the east, in EPSG:4545 metres: z = 0.1 (x - 500000)."""
    west, north, cell = 499_000.0, 2_985_000.0, 10.0
    cols, rows = 400, 200
    x = west + (np.arange(cols) + 0.5) * cell
    z = np.tile(0.1 * (x - 500_000.0), (rows, 1)).astype(np.float32)
    path = tmp_path / "tilted.tif"
    with rasterio.open(path, "w", driver="GTiff", width=cols, height=rows, count=1, dtype="float32", crs="EPSG:4545",
                       transform=Affine(cell, 0, west, 0, -cell, north)) as dataset:
        dataset.write(z, 1)
    return path


def test_tobler_slope_makes_uphill_slower_than_downhill(tilted_dem):
    elevation = dem_elevation(tilted_dem)
    assert elevation(np.array([500_500.0]), np.array([2_984_000.0])) == pytest.approx([50.0], abs=1e-3)
    # 1 km due east, climbing 100 m: Tobler's speed at +10 % is exp(-3.5*0.15)/exp(-3.5*0.05) = e^-0.35 of the
    # flat speed; at -10 % it is exp(-3.5*0.05)/exp(-3.5*0.05) = the flat speed.
    net = network_of([[(500_000, 2_984_000), (501_000, 2_984_000)]], speed=1.0, elevation=elevation)
    assert net.cost == pytest.approx([1000 * math.exp(0.35)], rel=1e-6)  # along the line: uphill
    assert net.reverse_cost == pytest.approx([1000.0], rel=1e-6)
    assert tobler_factor(np.array([0.0, -0.05])) == pytest.approx([1.0, math.exp(0.175)])
    walk = Walk.time(net, speed=1.0)
    top, bottom = points((501_000, 2_984_000)), points((500_000, 2_984_000))
    # A home at the bottom walks up to a station at the top, and the other way round.
    up = walk.reach(net.snap(top))
    assert walk.at_points(up.cost, net.snap(bottom), net.snap(top), up.nearest)[0] == pytest.approx([1419.07], abs=0.01)
    down = walk.reach(net.snap(bottom))
    assert walk.at_points(down.cost, net.snap(top), net.snap(bottom), down.nearest)[0] == pytest.approx([1000.0])


# ---- siting ----------------------------------------------------------------------------------------------------

def test_mclp_finds_the_optimum_greedy_misses_and_lscp_the_fewest_sites():
    """Households at x = 0 (5), 1500 (6), 1750 (6), 3250 (5) on a straight street; a site serves 1000 m.
    The best single site covers the middle pair (12), so greedy takes it and then only 5 more (17); the
    two sites at 700 and 2550 cover all 22. Covering all 22 takes 2 sites, greedy needs 3."""
    stops = [0, 700, 1500, 1625, 1750, 2550, 3250]
    net = network_of([[(a, 0), (b, 0)] for a, b in zip(stops, stops[1:])])
    walk = Walk.distance(net)
    candidates = net.snap(points(*[(x, 0) for x in stops]))
    homes = net.snap(points((0, 10), (1500, 10), (1750, 10), (3250, 10)))
    weight = np.array([5, 6, 6, 5])
    model = siting.coverage_model(candidate_cover(walk, candidates, homes, 1000.0), weight)
    greedy = siting.greedy(model, sites=2)
    assert [stops[c] for c in greedy.candidates] == [1500, 0] and greedy.covered == 17
    best = siting.mclp(model, sites=2)
    assert sorted(stops[c] for c in best.candidates) == [700, 2550] and best.covered == 22 and best.optimal
    assert [p.gain for p in best.picks] == [11, 11]
    fewest = siting.lscp(model, target=22)
    assert sorted(stops[c] for c in fewest.candidates) == [700, 2550]
    assert len(siting.greedy(model, target=22).picks) == 3
    assert siting.lscp(model, target=30).notes  # more than any sites can cover: capped, and said so


def test_coverage_model_merges_buildings_with_the_same_candidates():
    from scipy.sparse import csr_array

    covers = csr_array(np.array([[1, 0, 1], [1, 0, 1], [0, 1, 0], [0, 0, 0]], dtype=bool))
    model = siting.coverage_model(covers, np.array([3, 4, 5, 9]))
    assert model.covers.shape == (2, 3)
    assert sorted(model.weight.tolist()) == [5, 7] and sorted(model.count.tolist()) == [1, 2]


# ---- OpenStreetMap --------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_an_osm_extract_becomes_a_routable_network(settings):
    """pyrosm's bundled test extract (Helsinki region): OSM's topology is kept and lengths agree with
    pyrosm's own (haversine) lengths. Finland needs a metric CRS of its own: UTM 35N."""
    from pyrosm import OSM, get_data

    settings.GEOGRID_AREA_SRID = 32635
    path = get_data("test_pbf")
    network = build_network_from_osm(path, name="test.osm.pbf")
    _, edges = OSM(path).get_network(network_type="walking", nodes=True)
    assert network.source == WalkingNetwork.Source.OSM and not network.tobler
    assert network.edge_count == 1025 == len(edges)
    assert network.vertex_count == len(set(edges["u"]) | set(edges["v"]))
    stored = dict(NetworkEdge.objects.filter(network=network).values_list("osm_id", "length_m").order_by("id")[:1])
    theirs = edges.groupby("id")["length"].first()
    for osm_id, length in stored.items():
        assert length == pytest.approx(theirs[osm_id], rel=0.005)
    assert NetworkEdge.objects.filter(network=network).aggregate(s=models_sum("length_m"))["s"] == pytest.approx(
        edges["length"].sum(), rel=0.005)
    # The clipped extract falls apart in pieces: from the largest one, a walk reaches exactly its vertices.
    largest = max(nx.connected_components(nx.Graph(list(zip(edges["u"], edges["v"])))), key=len)
    net, _ = load_network(network)
    start = net.source[net.main_edges()[0]]
    reach = Walk.time(net, network.speed_mps).reach(net.snap(shapely.points(net.vertices[[start]])))
    assert np.isfinite(reach.cost).sum() == len(largest) == 781


def models_sum(field):
    from django.db.models import Sum

    return Sum(field)


# ---- the demo town ------------------------------------------------------------------------------------------

@pytest.fixture
def demo_network(db) -> WalkingNetwork:
    return WalkingNetwork.objects.get(name=DEMO_NETWORK_NAME)


def share(covered: int, households: int) -> float:
    return round(covered / households, 4)


def test_load_demo_builds_a_sloped_walking_network_from_the_roads(demo_network):
    assert (demo_network.vertex_count, demo_network.edge_count, demo_network.tobler) == (
        facts.NETWORK_VERTICES, facts.NETWORK_EDGES, True)
    edges = NetworkEdge.objects.filter(network=demo_network)
    assert edges.count() == facts.NETWORK_EDGES
    # Slopes make the two directions differ; on the flat (length / 1.1 m/s) they would be equal.
    steep = [e for e in edges if abs(e.cost - e.reverse_cost) > 0.05 * e.cost]
    assert len(steep) == facts.NETWORK_STEEP_EDGES and demo_network.length_km == pytest.approx(facts.NETWORK_KM)


def test_pgrouting_gives_the_same_vertex_times_as_scipy(demo_network):
    """pgr_drivingDistance(equicost) over the stored table and scipy's multi-source Dijkstra over the
    loaded arrays agree at every vertex, starting from the vertices nearest to the stations."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pgrouting'")
        if cursor.fetchone() is None:
            pytest.skip("pgRouting is optional and not installed in this database (the stock PostGIS image)")
    net, vertex_ids = load_network(demo_network)
    stations = net.snap(to_area_crs(np.asarray([shapely.from_wkb(bytes(p.wkb)) for p in
                                                ServiceStation.objects.values_list("point", flat=True)])))
    starts = np.unique(np.where(stations.fraction < 0.5, net.source[stations.edge], net.target[stations.edge]))
    on_vertex = Snap(edge=np.array([int(np.flatnonzero((net.source == v) | (net.target == v))[0]) for v in starts]),
                     fraction=np.zeros(len(starts)), distance=np.zeros(len(starts)))
    on_vertex.fraction = np.where(net.source[on_vertex.edge] == starts, 0.0, 1.0)
    reach = Walk.time(net, demo_network.speed_mps).reach(on_vertex, limit=1800)
    sql = pgrouting_reach(demo_network, vertex_ids[starts].tolist(), 1800)
    reached = np.flatnonzero(np.isfinite(reach.cost))
    assert sorted(vertex_ids[reached].tolist()) == sorted(sql)
    assert [sql[v][0] for v in vertex_ids[reached]] == pytest.approx(reach.cost[reached].tolist(), abs=0.01)
    assert [sql[v][1] for v in vertex_ids[reached]] == vertex_ids[starts][reach.nearest[reached]].tolist()


def _networkx_metres(net: Network, stations: Snap, homes: Snap) -> np.ndarray:
    """An independent answer for standard mode: every station and home becomes a node splitting its edge,
    then networkx's multi-source Dijkstra over the split graph."""
    graph = nx.Graph()

    def link(a, b, metres):
        if not graph.has_edge(a, b) or graph[a][b]["weight"] > metres:
            graph.add_edge(a, b, weight=metres)

    on_edge: dict[int, list] = {}
    for kind, snap in (("station", stations), ("home", homes)):
        for i, (e, f, off) in enumerate(zip(snap.edge, snap.fraction, snap.distance)):
            on_edge.setdefault(int(e), []).append((f, (kind, i)))
            link((kind, i), (kind.upper(), i), off)
    for e in range(len(net.lines)):
        chain = [(0.0, int(net.source[e])), *sorted(on_edge.get(e, [])), (1.0, int(net.target[e]))]
        for (f1, a), (f2, b) in zip(chain, chain[1:]):
            link(a, b, (f2 - f1) * net.length[e])
    metres = nx.multi_source_dijkstra_path_length(graph, {("STATION", j) for j in range(len(stations))})
    return np.array([metres.get(("HOME", i), np.inf) for i in range(len(homes))])


def _snaps(net: Network, run: CircleRun) -> tuple[Snap, Snap, list[int]]:
    stations = ServiceStation.objects.order_by("pk").values_list("point", flat=True)
    reaches = BuildingReach.objects.filter(run=run).order_by("building_id")
    homes = Building.objects.filter(pk__in=reaches.values("building_id")).order_by("pk").values_list("point", flat=True)
    metric = [to_area_crs(np.asarray([shapely.from_wkb(bytes(p.wkb)) for p in q])) for q in (stations, homes)]
    return net.snap(metric[0]), net.snap(metric[1]), list(reaches.values_list("reach", flat=True))


def test_coverage_of_the_demo_town_in_walking_minutes(demo_network):
    run = run_circles(CircleRun.objects.create(network=demo_network))
    summary = run.summary
    # both streets' buildings; the stations are all in the first street
    buildings, households = homes()
    assert (summary["stations"], summary["buildings"], summary["households"]) == (
        ServiceStation.objects.count(), buildings, households)
    assert summary["covered"] == list(facts.TIME_COVERED)  # households within 5, 10, 15 minutes
    covered = facts.TIME_COVERED[-1]
    rows = {row["name"]: row for row in coverage_table(run, None, "community")}
    assert rows["合计"]["band3"] == covered and rows["合计"]["uncovered"] == households - covered
    west, (_, west_households) = rows["城西社区"], homes(Area.objects.get(name="城西社区").code)
    assert (west["households"], west["band3"], west["share"]) == (
        west_households, facts.WEST_COVERED, share(facts.WEST_COVERED, west_households))
    assert rows["塘冲村"]["band3"] == rows["龙井村"]["band3"] == 0  # no station within 15 minutes of either village
    grids = coverage_table(run, None, "grid")
    assert sum(r["households"] for r in grids[:-1]) == households and sum(r["band3"] for r in grids[:-1]) == covered
    nearest = BuildingReach.objects.filter(run=run).order_by("reach").select_related("building", "station").first()
    assert (nearest.building.address, nearest.station.name) == facts.NEAREST_HOME
    assert (nearest.reach, nearest.snap_m, nearest.band) == facts.NEAREST_REACH
    five, ten, fifteen = (i.geom for i in run.isochrones.order_by("band"))
    assert fifteen.contains(ten.point_on_surface)
    hectares = [round(g.transform(4545, clone=True).area / 10_000) for g in (five, ten, fifteen)]
    assert hectares == list(facts.ISOCHRONE_HECTARES)


def test_standard_mode_agrees_with_networkx_on_split_edges(demo_network):
    run = run_circles(CircleRun.objects.create(network=demo_network, mode=CircleRun.Mode.STANDARD))
    assert run.summary["covered"] == list(facts.STANDARD_COVERED)  # households within 300, 500, 1000 m
    net, _ = load_network(demo_network)
    stations, homes, ours = _snaps(net, run)
    theirs = _networkx_metres(net, stations, homes)
    ours = np.array([np.inf if r is None else r for r in ours])
    followed = np.isfinite(ours)  # the run follows walks from vertices up to 3x the circle (3 km)
    assert followed.sum() > 0.9 * len(ours) and (theirs[~followed] > 3000).all()
    assert ours[followed] == pytest.approx(theirs[followed], abs=0.06)


def test_suggested_sites_for_the_demo_town(demo_network):
    run = run_circles(CircleRun.objects.create(network=demo_network, new_sites=3, target_share=0.8))
    siting_ = run.summary["siting"]
    households, covered, gain = homes()[1], facts.TIME_COVERED[-1], facts.MCLP_GAIN
    assert (siting_["candidates"], siting_["covered_before"], siting_["before"]) == (
        facts.SITING_CANDIDATES, covered, share(covered, households))
    assert siting_["mclp"]["covered"] == gain and siting_["mclp"]["optimal"]
    assert siting_["mclp"]["after"] == share(covered + gain, households)
    assert siting_["greedy"]["covered"] <= gain
    assert (siting_["lscp"]["sites"], siting_["lscp"]["after"]) == (facts.LSCP_SITES, facts.LSCP_SHARE)
    assert siting_["greedy_target"]["sites"] >= facts.LSCP_SITES
    mclp = list(SiteSuggestion.objects.filter(run=run, method="mclp"))
    assert [s.rank for s in mclp] == [1, 2, 3] and sum(s.gain for s in mclp) == gain
    assert all(s.vertex.network_id == demo_network.pk for s in mclp)
    assert mclp[0].gain >= mclp[1].gain >= mclp[2].gain


# ---- API, scope, exports ------------------------------------------------------------------------------------


def test_a_run_is_queued_for_the_worker_and_its_progress_polled(client, demo_network,
                                                                django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    from geogrid.circles.tasks import compute_circle_run

    client.force_login(User.objects.get(username="street"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/circles/runs", {"new_sites": 2, "mode": "time"},
                               content_type="application/json")
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["progress"], body["area"], body["band_labels"]) == (
        "queued", 0, STREET, ["5分钟", "10分钟", "15分钟"])
    queued = DBTaskResult.objects.get(task_path="geogrid.circles.tasks.compute_circle_run")
    assert queued.args_kwargs["kwargs"] == {"run_id": body["id"]}
    compute_circle_run.call(run_id=body["id"])  # what `manage.py run_worker` does
    state = client.get(f"/api/v1/circles/runs/{body['id']}").json()
    assert (state["status"], state["progress"], state["finished"]) == ("succeeded", 100, True)
    covered, (_, households) = facts.TIME_COVERED[-1], homes(STREET)
    assert state["summary"]["covered"][-1] == covered and state["summary"]["siting"]["mclp"]["sites"] == 2
    table = client.get(f"/api/v1/circles/runs/{body['id']}/coverage?level=street").json()["rows"]
    assert [(r["code"], r["households"], r["band3"]) for r in table] == [(STREET, households, covered),
                                                                         ("", households, covered)]


def test_runs_and_their_households_stay_inside_the_users_area(client, demo_network):
    street_run = CircleRun.objects.create(network=demo_network, area_id=_area_id(STREET))
    run_circles(street_run)
    client.force_login(User.objects.get(username="community"))
    assert client.get(f"/api/v1/circles/runs/{street_run.pk}").status_code == 404
    response = client.post("/api/v1/circles/runs", {"area": STREET}, content_type="application/json")
    assert response.status_code == 403
    assert client.post("/api/v1/circles/runs", {"mode": "fast"}, content_type="application/json").status_code == 400
    assert client.post("/api/v1/circles/runs", {"new_sites": 99}, content_type="application/json").status_code == 400
    # A street-wide run read by someone scoped to one community shows that community's households only.
    community = User.objects.get(username="community")
    rows = coverage_table(street_run, community, "community")
    own = (homes(COMMUNITY)[1], facts.COMMUNITY_COVERED)
    assert [(r["code"], r["households"], r["band3"]) for r in rows] == [(COMMUNITY, *own), ("", *own)]
    assert {r["code"][:12] for r in coverage_table(street_run, community, "grid")[:-1]} == {COMMUNITY}
    client.logout()
    assert client.get("/api/v1/circles/runs").status_code in (401, 403)


def _area_id(code: str) -> int:
    from geogrid.areas.models import Area

    return Area.objects.get(code=code).pk


def test_map_data_geojson_and_xlsx_export(client, demo_network):
    from io import BytesIO

    from openpyxl import load_workbook

    run = run_circles(CircleRun.objects.create(network=demo_network, area_id=_area_id(STREET), new_sites=1))
    client.force_login(User.objects.get(username="street"))
    response = client.get(f"/api/v1/circles/runs/{run.pk}/map?format=geojson")
    assert response["Content-Type"].startswith("application/geo+json")
    features = response.json()["features"]
    kinds = {}
    for feature in features:
        kinds[feature["properties"]["type"]] = kinds.get(feature["properties"]["type"], 0) + 1
    buildings, households = homes(STREET)
    stations = ServiceStation.objects.count()
    assert kinds == {"station": stations, "isochrone": 3, "building": buildings, "site": 2}  # MCLP, greedy: one each
    uncovered = sum(f["properties"]["households"] for f in features
                    if f["properties"]["type"] == "building" and f["properties"]["band"] is None)
    assert uncovered == households - facts.TIME_COVERED[-1]
    book = load_workbook(BytesIO(client.get(f"/api/v1/circles/runs/{run.pk}/export.xlsx").content))
    assert book.sheetnames == ["按网格", "按社区", "按街道", "建议新站点", "圈外楼栋"]
    total = list(book["按社区"].iter_rows(values_only=True))[-1]
    covered = facts.TIME_COVERED[-1]
    assert total[1:8] == ("合计", buildings, households, *facts.TIME_COVERED, share(covered, households))
    assert book["圈外楼栋"].max_row - 1 == BuildingReach.objects.filter(run=run, band__isnull=True).count()


def test_the_management_commands(demo_network):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("build_walking_network", "--tobler", "--name", "重建路网", stdout=out, verbosity=0)
    rebuilt = WalkingNetwork.objects.get(name="重建路网")
    assert (rebuilt.edge_count, rebuilt.vertex_count, rebuilt.tobler) == (
        facts.NETWORK_EDGES, facts.NETWORK_VERTICES, True)
    assert f"{facts.NETWORK_EDGES} edges" in out.getvalue() and "Tobler" in out.getvalue()
    out = StringIO()
    call_command("circle_coverage", "--network", str(demo_network.pk), "--level", "community", stdout=out, verbosity=0)
    lines = out.getvalue().splitlines()
    buildings, households = homes()
    covered, gain = facts.TIME_COVERED[-1], facts.MCLP_GAIN
    assert lines[0].endswith(f"{ServiceStation.objects.count()} stations, {buildings} buildings")
    assert lines[-1].split() == ["合计", str(households), *map(str, facts.TIME_COVERED),
                                 f"{share(covered, households):.1%}"]
    out = StringIO()
    call_command("suggest_sites", "--network", str(demo_network.pk), "--sites", "3", stdout=out, verbosity=0)
    assert f"MCLP: 3 sites +{gain} households -> {share(covered + gain, households):.1%}" in out.getvalue()


# ---- user-given candidate sites ----------------------------------------------------------------------------

VILLAGE = "522624001077"  # a test village under the demo street, ~30 km east of its stations
GX, GY = 600_000.0, 2_990_000.0  # its street's west end, CGCS2000 / GK CM 108E metres (EPSG:4545)
# Candidates, metres from (GX, GY): label, x, y. The street runs 3 km east from (GX, GY); houses stand 10 m
# south of it at x = 200 (4 households), 1400 (10), 1600 (10) and 2800 (3); the circle is 1000 m.
GIVEN = [("村委会", 700, 400),  # 400 m up a slope: reaches only x = 200 (400 + 500 + 10 = 910 m)
         ("老供销社", 1500, 30),  # reaches x = 1400 and 1600 (30 + 100 + 10 = 140 m): 20 households
         ("桥头", 2700, 5),  # reaches x = 2800: 3 households
         ("山顶", 1500, 1500)]  # 1500 m off the street: farther than the circle, reaches no one


def _degrees(x: float, y: float) -> tuple[float, float]:
    from pyproj import Transformer

    lon, lat = Transformer.from_crs(4545, 4490, always_xy=True).transform(GX + x, GY + y)
    return float(lon), float(lat)


@pytest.fixture
def given_village(db) -> WalkingNetwork:
    """The village, its four houses and its hand-built street (a network of one edge); no station within
    reach (the demo's snap onto the street from 30 km away)."""
    from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Point

    from geogrid.areas.models import Area
    from geogrid.circles.services import build_network

    box = shapely.transform(shapely.box(GX - 500, GY - 2000, GX + 3500, GY + 2000),
                            lambda xy: np.array([_degrees(x - GX, y - GY) for x, y in xy]))
    village = Area.objects.create(code=VILLAGE, name="候选测试村", kind=Area.Kind.VILLAGE,
                                  parent=Area.objects.get(code=STREET),
                                  geom=MultiPolygon(GEOSGeometry(box.wkt, srid=4490), srid=4490))
    for x, households in ((200, 4), (1400, 10), (1600, 10), (2800, 3)):
        Building.objects.create(address=f"候选测试村{x}号", households=households, community=village,
                                point=Point(*_degrees(x, -10), srid=4490))
    street = node_lines(np.asarray([shapely.LineString([(GX, GY), (GX + 3000, GY)])], dtype=object))
    return build_network(street, name="候选测试路网", source=WalkingNetwork.Source.LINES)


def test_given_candidates_are_snapped_with_their_distance_walked(given_village):
    """MCLP with 2 sites picks 老供销社 (20 households) and 村委会 (4): had 村委会's 400 m to the street not
    been walked, it would reach all three western houses (24) and come first. 山顶 can reach no one, and
    the summary says so."""
    from geogrid.circles.candidates import candidates_from_list

    given = candidates_from_list([_degrees(x, y) for _, x, y in GIVEN])
    fields = given.run_fields()
    fields["candidates"] = [dict(c, label=label) for c, (label, _, _) in zip(fields["candidates"], GIVEN)]
    run = run_circles(CircleRun.objects.create(network=given_village, area_id=_area_id(VILLAGE), new_sites=2,
                                               mode=CircleRun.Mode.STANDARD, **fields))
    siting_ = run.summary["siting"]
    assert (run.summary["households"], siting_["covered_before"]) == (27, 0)  # the demo's stations are 30 km off
    assert (siting_["candidates"], siting_["candidate_source"]) == (4, "given")
    assert siting_["mclp"]["covered"] == siting_["greedy"]["covered"] == 24
    mclp = list(SiteSuggestion.objects.filter(run=run, method="mclp"))
    assert [(s.candidate, s.candidate_label, s.gain, s.snap_m) for s in mclp] == [
        (2, "老供销社", 20, 30.0), (1, "村委会", 4, 400.0)]
    assert all(s.vertex_id is None for s in mclp)
    # The suggestion is the point as given, not where it meets the street.
    assert (mclp[1].point.x, mclp[1].point.y) == pytest.approx(_degrees(700, 400), abs=1e-9)
    assert len(siting_["candidate_notes"]) == 1 and siting_["candidate_notes"][0].startswith("候选 4（山顶）")
    # With 3 sites the third is 桥头; 山顶 is never chosen.
    run = run_circles(CircleRun.objects.create(network=given_village, area_id=_area_id(VILLAGE), new_sites=3,
                                               mode=CircleRun.Mode.STANDARD, **given.run_fields()))
    assert sorted(run.suggestions.filter(method="mclp").values_list("candidate", flat=True)) == [1, 2, 3]
    assert run.summary["siting"]["mclp"]["after"] == 1.0


def test_given_candidates_through_the_api_in_gcj02(client, given_village):
    from geogrid.core.chinacrs import wgs84_to_gcj02

    sent = [[float(v) for v in wgs84_to_gcj02(*_degrees(x, y))] for _, x, y in GIVEN]
    client.force_login(User.objects.get(username="street"))
    runs = CircleRun.objects.count()
    # Swapped coordinates, or candidates without a number of sites to choose, change nothing.
    for body in ({"candidates": [[lat, lon] for lon, lat in sent], "crs": "gcj02", "new_sites": 1},
                 {"candidates": sent, "crs": "gcj02"}, {"candidates": sent, "crs": "beijing54", "new_sites": 1}):
        response = client.post("/api/v1/circles/runs", {"area": VILLAGE, "network": given_village.pk, **body},
                               content_type="application/json")
        assert response.status_code == 400, body
    assert "写反" in client.post("/api/v1/circles/runs", {"candidates": [[26.9, 108.7]], "new_sites": 1},
                                 content_type="application/json").json()["message"]
    assert CircleRun.objects.count() == runs
    response = client.post("/api/v1/circles/runs", {
        "area": VILLAGE, "network": given_village.pk, "mode": "standard", "new_sites": 1, "candidates": sent,
        "crs": "gcj02"}, content_type="application/json")
    assert response.status_code == 201 and response.json()["candidates"] == 4
    run_circles(CircleRun.objects.get(pk=response.json()["id"]))
    sites = [f["properties"] for f in client.get(f"/api/v1/circles/runs/{response.json()['id']}/map").json()["features"]
             if f["properties"]["type"] == "site" and f["properties"]["method"] == "mclp"]
    assert [(s["candidate"], s["label"], s["given"], s["crs"], s["gain"]) for s in sites] == [
        (2, "#2", sent[1], "gcj02", 20)]
    from io import BytesIO

    from openpyxl import load_workbook

    book = load_workbook(BytesIO(client.get(f"/api/v1/circles/runs/{response.json()['id']}/export.xlsx").content))
    head, mclp = list(book["建议新站点"].iter_rows(values_only=True))[:2]
    assert head[-4:] == ("给定候选", "候选名称", "给定坐标 x（gcj02）", "给定坐标 y（gcj02）")
    assert mclp[-5:-2] == (30.0, 2, "#2") and mclp[-2:] == pytest.approx(sent[1], abs=1e-12)  # xlsx: 15 digits


def test_the_circles_admin_is_read_only_and_keeps_runs_in_the_users_area(client, rf, demo_network):
    from django.contrib import admin

    street_run = run_circles(CircleRun.objects.create(network=demo_network, area_id=_area_id(STREET), new_sites=1))
    everything = CircleRun.objects.create(network=demo_network)
    run_admin, site_admin = admin.site._registry[CircleRun], admin.site._registry[SiteSuggestion]
    assert not run_admin.has_add_permission(rf.get("/"))
    assert not admin.site._registry[WalkingNetwork].has_add_permission(rf.get("/"))
    seen = {}
    for username in ("admin", "street", "community"):
        request = rf.get("/admin/circles/circlerun/")
        request.user = User.objects.get(username=username)
        runs = set(run_admin.get_queryset(request).values_list("pk", flat=True))
        seen[username] = ({street_run.pk, everything.pk} & runs, site_admin.get_queryset(request).filter(
            run=street_run).count())
        assert not run_admin.has_change_permission(request, street_run)
    assert seen == {"admin": ({street_run.pk, everything.pk}, 2), "street": ({street_run.pk}, 2),
                    "community": (set(), 0)}
    client.force_login(User.objects.get(username="admin"))
    page = client.get(f"/admin/circles/circlerun/{street_run.pk}/change/").content.decode()
    assert '<progress max="100" value="100">' in page and "最大覆盖（MCLP）" in page


def test_suggest_sites_reads_a_candidate_file_and_refuses_one_without_a_crs(given_village, tmp_path):
    import json
    from io import StringIO

    from django.core.management import CommandError, call_command

    table = tmp_path / "候选.csv"
    table.write_text("名称,经度,纬度\n" + "".join(f"{label},{lon!r},{lat!r}\n" for label, x, y in GIVEN
                                                   for lon, lat in [_degrees(x, y)]), encoding="utf-8")
    options = ["--network", str(given_village.pk), "--area", VILLAGE, "--mode", "standard", "--sites", "2"]
    runs = CircleRun.objects.count()
    with pytest.raises(CommandError, match="--crs"):  # a CSV says nothing about its CRS: never guessed
        call_command("suggest_sites", *options, "--candidates", str(table), verbosity=0)
    points = tmp_path / "候选.geojson"
    points.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "路段"},
         "geometry": {"type": "LineString", "coordinates": [[108.9, 27.0], [108.91, 27.0]]}}]}))
    with pytest.raises(CommandError, match="不是点"):
        call_command("suggest_sites", *options, "--candidates", str(points), verbosity=0)
    assert CircleRun.objects.count() == runs
    out = StringIO()
    call_command("suggest_sites", *options, "--candidates", str(table), "--crs", "cgcs2000", stdout=out, verbosity=0)
    text = out.getvalue()
    assert "4 given candidate sites" in text and "MCLP: 2 sites +24 households -> 88.9%" in text
    lon, lat = _degrees(1500, 30)
    assert f'1. candidate 2 "老供销社" ({lon:.10g}, {lat:.10g} cgcs2000; 30 m from the network) +20 households' in text
    assert '2. candidate 1 "村委会"' in text and "候选 4（山顶）" in text
    assert CircleRun.objects.count() == runs + 1
