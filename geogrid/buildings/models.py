"""Buildings (楼栋/房屋): households are counted from buildings (以房定户).

A building belongs to exactly one grid per level: the current grid containing its point-on-surface.
Those placements are derived (`services.place_buildings`), never typed in, so a household can never be
counted in two grids (seed 001: 不得出现"户内分户").
"""
from django.contrib.gis.db import models
from django.contrib.gis.db.models.functions import IsValid
from django.db.models import F, Q
from geogrid.core.audit import audited


@audited(exclude=("grid_l1", "grid_l2", "grid_l3", "community", "point"))
class Building(models.Model):
    """楼栋/房屋."""

    class Use(models.TextChoices):
        RESIDENTIAL = "residential", "住宅"
        MIXED = "mixed", "商住"
        COMMERCIAL = "commercial", "商业"
        PUBLIC = "public", "公共服务"
        INDUSTRIAL = "industrial", "工业"

    address = models.CharField("地址", max_length=200)
    use = models.CharField("用途", max_length=12, choices=Use.choices, default=Use.RESIDENTIAL)
    floors = models.PositiveSmallIntegerField("层数", default=1)
    households = models.PositiveIntegerField("规划户数", default=0)
    resident_households = models.PositiveIntegerField("常住户数", default=0)
    population = models.PositiveIntegerField("常住人口", default=0)
    footprint = models.PolygonField("轮廓", srid=4490, null=True, blank=True)
    point = models.PointField("定位点", srid=4490, help_text="有轮廓时为轮廓内点（point-on-surface）")
    community = models.ForeignKey(
        "areas.Area", verbose_name="所属社区/村", null=True, blank=True, related_name="buildings",
        on_delete=models.PROTECT,
    )
    grid_l1 = models.ForeignKey(
        "grids.Grid", verbose_name="一级网格", null=True, blank=True, related_name="buildings_l1",
        on_delete=models.SET_NULL, editable=False,
    )
    grid_l2 = models.ForeignKey(
        "grids.Grid", verbose_name="二级网格", null=True, blank=True, related_name="buildings_l2",
        on_delete=models.SET_NULL, editable=False,
    )
    grid_l3 = models.ForeignKey(
        "grids.Grid", verbose_name="三级网格", null=True, blank=True, related_name="buildings_l3",
        on_delete=models.SET_NULL, editable=False,
    )

    class Meta:
        verbose_name = verbose_name_plural = "楼栋房屋"
        ordering = ["address"]
        constraints = [
            models.CheckConstraint(
                condition=Q(footprint__isnull=True) | IsValid("footprint"), name="building_footprint_valid"
            ),
            models.CheckConstraint(
                condition=Q(resident_households__lte=F("households")) | Q(households=0),
                name="building_resident_le_planned",
            ),
        ]

    def __str__(self) -> str:
        return self.address
