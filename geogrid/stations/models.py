"""Service stations (网格党群服务站 and kin), sited for the 15-minute service circle (seed 004)."""
from django.contrib.gis.db import models
from geogrid.core.audit import audited


@audited()
class ServiceStation(models.Model):
    """服务站点."""

    class Kind(models.TextChoices):
        PARTY_MASS_CENTRE = "party_mass_centre", "党群服务中心"
        GRID_STATION = "grid_station", "网格党群服务站"
        CONVENIENCE = "convenience", "便民服务点"

    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    name = models.CharField("名称", max_length=100)
    point = models.PointField("位置", srid=4490)
    address = models.CharField("地址", max_length=200, blank=True)
    opening_hours = models.CharField("开放时间", max_length=100, blank=True, help_text="如：周一至周五 8:30-17:30")
    community = models.ForeignKey(
        "areas.Area", verbose_name="所属社区/村", null=True, blank=True, related_name="stations",
        on_delete=models.PROTECT,
    )

    class Meta:
        verbose_name = verbose_name_plural = "服务站点"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
