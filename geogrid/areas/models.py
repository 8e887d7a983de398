"""Administrative areas: county (县/区) → street or township (街道/乡镇) → community or village (社区/村).

Every area carries its 12-digit statistical division code: province 2 + prefecture 2 + county 2 +
township 3 + village 3, zero-padded for the upper tiers (a county is ``522624000000``).
"""
from django.contrib.gis.db import models
from django.contrib.gis.db.models.functions import IsValid
from django.db.models import Q
from geogrid.core.audit import audited


class AreaQuerySet(models.QuerySet):
    def communities(self) -> "AreaQuerySet":
        return self.filter(kind__in=Area.COMMUNITY_KINDS)

    def streets(self) -> "AreaQuerySet":
        return self.filter(kind__in=Area.STREET_KINDS)


@audited()
class Area(models.Model):
    """行政区划: a county, street/township or community/village with its boundary."""

    class Kind(models.TextChoices):
        COUNTY = "county", "县/区"
        STREET = "street", "街道"
        TOWN = "town", "镇"
        TOWNSHIP = "township", "乡"
        COMMUNITY = "community", "社区"
        VILLAGE = "village", "村"

    STREET_KINDS = (Kind.STREET, Kind.TOWN, Kind.TOWNSHIP)
    COMMUNITY_KINDS = (Kind.COMMUNITY, Kind.VILLAGE)

    code = models.CharField("统计用区划代码", max_length=12, unique=True, help_text="12位统计用区划代码")
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级区划", null=True, blank=True, related_name="children", on_delete=models.PROTECT
    )
    geom = models.MultiPolygonField("边界", srid=4490)

    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "行政区划"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{12}$"), name="area_code_12_digits"),
            models.CheckConstraint(condition=IsValid("geom"), name="area_geom_valid"),
            models.CheckConstraint(
                condition=Q(kind="county", parent__isnull=True) | ~Q(kind="county") & Q(parent__isnull=False),
                name="area_parent_by_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.short_code}）"

    @property
    def short_code(self) -> str:
        """6 digits for a county, 9 for a street or township, 12 for a community or village."""
        return self.code[: {self.Kind.COUNTY: 6}.get(self.kind, 9 if self.kind in self.STREET_KINDS else 12)]

    @classmethod
    def parent_code_of(cls, code: str, kind: str) -> str | None:
        """The parent's code read from a 12-digit code (GB/T 2260 county + street 3 digits + community 3
        digits): a street's county is its first 6 digits padded, a community's street its first 9 padded.
        None for a county, and for a code that does not fit its kind (a "street" ending in 000000)."""
        if kind in cls.STREET_KINDS and code[6:9] != "000" and code.endswith("000"):
            return code[:6] + "000000"
        if kind in cls.COMMUNITY_KINDS and code[6:9] != "000" and not code.endswith("000"):
            return code[:9] + "000"
        return None

    @staticmethod
    def code_prefix(code: str) -> str:
        """The prefix shared by an area's code and every code under it."""
        if code.endswith("000000"):
            return code[:6]
        if code.endswith("000"):
            return code[:9]
        return code
