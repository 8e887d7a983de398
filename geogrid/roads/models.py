"""Roads and water: the basemap's linework, grid boundaries' guides and (later) the walking network."""
from django.contrib.gis.db import models
from geogrid.core.audit import audited


@audited()
class Road(models.Model):
    """道路."""

    class Kind(models.TextChoices):
        PRIMARY = "primary", "主干道"
        SECONDARY = "secondary", "次干道"
        RESIDENTIAL = "residential", "支路/巷道"
        RURAL = "rural", "村道"
        PATH = "path", "步道"

    name = models.CharField("名称", max_length=100, blank=True)
    kind = models.CharField("等级", max_length=12, choices=Kind.choices)
    geom = models.LineStringField("中心线", srid=4490)

    class Meta:
        verbose_name = verbose_name_plural = "道路"

    def __str__(self) -> str:
        return self.name or self.get_kind_display()


@audited()
class Water(models.Model):
    """水系: rivers and ponds."""

    name = models.CharField("名称", max_length=100, blank=True)
    geom = models.MultiPolygonField("范围", srid=4490)

    class Meta:
        verbose_name = verbose_name_plural = "水系"

    def __str__(self) -> str:
        return self.name or "水系"
