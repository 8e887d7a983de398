"""Facts of the demo town for tests: the codes tests address by name, and the figures tests cannot compute
independently (results of the walking network and the service-circle planner on the generated town, kept
as regression anchors). Everything a test can ask the database (households, buildings, stations of an area)
it computes there instead. Change a figure here only when a change to the generator or to the planner is
meant to move it. tests/test_demo_town.py fails when one of these codes or figures (or a household or
building count of the town) is written as a literal in another test file.
"""
from geogrid.demo.services import FIRST_COMMUNITY_CODE
from geogrid.demo.town import COUNTY_CODE, DEPARTMENTS, STREET_CODE, URBAN_COMMUNITIES

# Areas and departments tests address by code: the generator's own constants, named once here.
COUNTY = COUNTY_CODE  # 三穗县, the demo streets' county
STREET = STREET_CODE  # 城关街道, where the demo user "street" works
COMMUNITY = FIRST_COMMUNITY_CODE  # 和平社区, where the demo user "community" works; it holds the estate
OTHER_COMMUNITY = URBAN_COMMUNITIES[0][0]  # 城东社区, a community of the same street "community" may not see
POLICE, CITY_ENFORCEMENT, MARKET = (plan.code for plan in DEPARTMENTS)  # 城关派出所, 城市管理执法中队, 市场监督管理所

# The demo walking network built from the roads, with Tobler's slope rule (load_demo, build_walking_network).
NETWORK_VERTICES = 155  # vertices of the noded road network
NETWORK_EDGES = 169  # edges of the noded road network
NETWORK_STEEP_EDGES = 124  # edges whose two directions differ by more than 5 % in walking time
NETWORK_KM = 66.017  # total length of the network, km

# A walking-time run over the whole town (5, 10, 15 minutes from the 7 service stations, by households).
TIME_COVERED = (895, 2674, 4404)  # households within 5, 10, 15 minutes; all of them in the first street
WEST_COVERED = 1473  # households of 城西社区 within 15 minutes
COMMUNITY_COVERED = 703  # households of 和平社区 (the demo user "community"'s) within 15 minutes
ISOCHRONE_HECTARES = (27, 71, 118)  # areas of the 5, 10 and 15 minute isochrones, hectares
NEAREST_HOME = ("城关街道坪山村1组3号", "坪山村网格党群服务站")  # the building nearest to a station, and that station
NEAREST_REACH = (29.6, 16.3, 1)  # its walk in seconds, its snap to the network in metres, its band

# A walking-distance run over the whole town (300, 500, 1000 m).
STANDARD_COVERED = (962, 2556, 5409)  # households within 300, 500, 1000 m

# Site suggestions over the whole town on top of the walking-time run.
SITING_CANDIDATES = 112  # network vertices within 150 m of a building with households
MCLP_GAIN = 1616  # households three MCLP sites add within 15 minutes (optimal)
LSCP_SITES = 17  # the fewest sites that bring 80 % of households within 15 minutes
LSCP_SHARE = 0.8058  # the share of households those sites reach
