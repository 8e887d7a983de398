"""Matching typed addresses to buildings (hotline batches, instructions about a person): normalised, exact,
never a fuzzy guess (see `AddressIndex`)."""
import re
from dataclasses import dataclass

from django.db.models import QuerySet

from geogrid.areas.models import Area
from geogrid.buildings.models import Building
from geogrid.search.selectors import normalise

# GB/T 2260 provincial-level names (full, short), by the first two digits of a division code. Only the
# provinces our counties are in are stripped from addresses.
PROVINCES = {
    "11": ("北京市", "北京"), "12": ("天津市", "天津"), "13": ("河北省", "河北"), "14": ("山西省", "山西"),
    "15": ("内蒙古自治区", "内蒙古"), "21": ("辽宁省", "辽宁"), "22": ("吉林省", "吉林"), "23": ("黑龙江省", "黑龙江"),
    "31": ("上海市", "上海"), "32": ("江苏省", "江苏"), "33": ("浙江省", "浙江"), "34": ("安徽省", "安徽"),
    "35": ("福建省", "福建"), "36": ("江西省", "江西"), "37": ("山东省", "山东"), "41": ("河南省", "河南"),
    "42": ("湖北省", "湖北"), "43": ("湖南省", "湖南"), "44": ("广东省", "广东"), "45": ("广西壮族自治区", "广西"),
    "46": ("海南省", "海南"), "50": ("重庆市", "重庆"), "51": ("四川省", "四川"), "52": ("贵州省", "贵州"),
    "53": ("云南省", "云南"), "54": ("西藏自治区", "西藏"), "61": ("陕西省", "陕西"), "62": ("甘肃省", "甘肃"),
    "63": ("青海省", "青海"), "64": ("宁夏回族自治区", "宁夏"), "65": ("新疆维吾尔自治区", "新疆"),
}
# What may stand between the province and one of our counties: a prefecture-level name (黔东南苗族侗族自治州,
# 黔东南州, 遵义市, 毕节地区, 锡林郭勒盟). Stripped only when one of our county names follows it directly.
PREFECTURE = re.compile(r".{1,12}(?:市|州|地区|盟)")


@dataclass
class Match:
    """Where an address led: one building (its point) when exactly one fits; the count of those that fit."""

    building: Building | None
    street: Area | None  # the street the address names or its candidate buildings share, for the queue
    candidates: int

    @property
    def reason(self) -> str:
        if self.candidates > 1:
            return f"{self.candidates} 栋房屋地址相同，无法确定 / {self.candidates} buildings have this address"
        return "" if self.building is not None else "没有地址相同的房屋 / no building has this address"


@dataclass
class _Entry:
    street_id: int | None
    building_id: int


class AddressIndex:
    """Building addresses of our area, normalised for exact matching. Never a fuzzy guess: an address matches
    when, after normalisation, it is equal to exactly one building's; two equal candidates is no match.

    Normalisation, the same for a row's address and a building's:
    1. NFKC: full-width digits, letters and punctuation become ASCII ("１２号" → "12号"), the ideographic space
       a plain one; then every whitespace character is removed (`geogrid.search.selectors.normalise`);
    2. a leading administrative prefix our stored addresses may lack is removed, each part optional, in
       order: the province of one of our counties (full name "贵州省"; the short "贵州" only when a
       prefecture, county or street name of ours follows it), a prefecture-level name ending in 市/州/地区/盟
       but only directly before one of our county names, and one of our county names ("三穗县");
    3. a leading name of one of our streets or townships ("城关街道") is split off.
    The rest (road and number, village and group, estate, building and unit) must then be equal. A street
    named in the row must agree with the building's street (named in its address, or the parent of its
    community); a row naming no street matches buildings of any street. Nothing else is rewritten: Chinese
    numerals, "#" for 号, abbreviations, extra detail such as a flat number ("…44号3单元502") or words like
    "附近" all leave the address unmatched, for a person to place.
    """

    def __init__(self, buildings: "QuerySet[Building] | None" = None) -> None:
        """An index over `buildings` (every building by default)."""
        counties = list(Area.objects.filter(kind=Area.Kind.COUNTY).values_list("code", "name"))
        self.provinces = [PROVINCES[code] for code in sorted({c[:2] for c, _ in counties}) if code in PROVINCES]
        self.counties = sorted({normalise(name) for _, name in counties}, key=len, reverse=True)
        self.streets = {s.pk: s for s in Area.objects.streets()}
        self.street_names = sorted(((normalise(s.name), s.pk) for s in self.streets.values()),
                                   key=lambda item: -len(item[0]))
        community_street = dict(Area.objects.communities().values_list("pk", "parent_id"))
        self.entries: dict[str, list[_Entry]] = {}
        buildings = Building.objects.all() if buildings is None else buildings
        for pk, address, community_id in buildings.values_list("pk", "address", "community_id"):
            named, rest = self.key(address)
            self.entries.setdefault(rest, []).append(_Entry(named or community_street.get(community_id), pk))

    def key(self, address: str) -> tuple[int | None, str]:
        """(the id of the street the address names, or None; the normalised rest)."""
        text = self._strip_region(normalise(address))
        for name, pk in self.street_names:
            if text.startswith(name) and len(text) > len(name):
                return pk, text[len(name):]
        return None, text

    def _strip_region(self, text: str) -> str:
        for full, short in self.provinces:
            if text.startswith(full):
                text = text[len(full):]
                break
            rest = text[len(short):]
            if text.startswith(short) and (self._after_county(rest) is not None
                                           or any(rest.startswith(name) for name, _ in self.street_names)):
                text = rest
                break
        after = self._after_county(text)
        return text if after is None else after

    def _after_county(self, text: str) -> str | None:
        """The text after a leading county name of ours (with a prefecture-level name before it), or None."""
        for county in self.counties:
            at = text.find(county)
            if at == 0 or (at > 0 and PREFECTURE.fullmatch(text[:at])):
                return text[at + len(county):]
        return None

    def candidates(self, address: str) -> list[_Entry]:
        """Every indexed building whose normalised address equals this one's (and whose street agrees)."""
        named, rest = self.key(address)
        return [e for e in self.entries.get(rest, []) if named is None or e.street_id in (named, None)] \
            if rest else []

    def match(self, address: str) -> Match:
        named, _ = self.key(address)
        candidates = self.candidates(address)
        streets = {e.street_id for e in candidates} - {None}
        street_id = named or (next(iter(streets)) if len(streets) == 1 else None)
        street = self.streets.get(street_id) if street_id else None
        building = Building.objects.only("pk", "point", "address").get(pk=candidates[0].building_id) \
            if len(candidates) == 1 else None
        return Match(building, street, len(candidates))




def buildings_at_address(address: str) -> list[Building]:
    """The buildings one address names, by the same normalisation as hotline batches, for a single lookup: only
    buildings whose stored address holds the end of this one are indexed, not the whole county."""
    probe = AddressIndex(Building.objects.none())
    _, rest = probe.key(address)
    if not rest:
        return []
    index = AddressIndex(Building.objects.filter(address__contains=rest[-6:]))
    ids = [entry.building_id for entry in index.candidates(address)]
    return list(Building.objects.filter(pk__in=ids).select_related("grid_l1", "grid_l2", "grid_l3").order_by("pk"))
