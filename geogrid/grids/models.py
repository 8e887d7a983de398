"""Grids (网格): the one base layer of 多网合一, versioned by generation.

A grid row is one version of one grid: editing a boundary closes the row and starts a new one with the
same code (see `geogrid.core.models.Versioned`). Among current rows a code is unique.
The database itself enforces: valid geometry, unique current codes, level 1 has no parent and levels 2-3
do, and (by trigger) that a grid lies inside its community and inside its parent grid.
"""
from django.contrib.gis.db import models
from django.contrib.gis.db.models.functions import IsValid
from django.db.models import Q

from geogrid.core.models import Versioned, VersionedQuerySet
from geogrid.core.audit import audited


class GridQuerySet(VersionedQuerySet):
    def in_area(self, code: str) -> "GridQuerySet":
        from geogrid.areas.models import Area

        return self.filter(community__code__startswith=Area.code_prefix(code))


@audited(exclude=("building_count", "household_count", "resident_household_count", "population"))
class Grid(Versioned):
    """网格: a comprehensive (综合) or exclusive (专属) grid of level 1, 2 or 3."""

    class Kind(models.TextChoices):
        COMPREHENSIVE = "comprehensive", "综合网格"
        EXCLUSIVE = "exclusive", "专属网格"

    class Level(models.IntegerChoices):
        ONE = 1, "一级网格"
        TWO = 2, "二级网格"
        THREE = 3, "三级网格"

    class Setting(models.TextChoices):
        """Which sizing rules apply (DOMAIN.md: urban, rural and estate grids differ)."""

        URBAN = "urban", "城市"
        RURAL = "rural", "农村"
        ESTATE = "estate", "住宅小区"
        FACILITY = "facility", "单位/场所"

    code = models.CharField("网格编码", max_length=24, help_text="默认：社区代码 + 3位序号（自西向东、自北向南）")
    name = models.CharField("网格名称", max_length=100)
    kind = models.CharField("网格类型", max_length=16, choices=Kind.choices, default=Kind.COMPREHENSIVE)
    exclusive_type = models.CharField(
        "专属网格类别", max_length=30, blank=True, help_text="如：商场、市场、学校、机关、园区"
    )
    level = models.PositiveSmallIntegerField("网格层级", choices=Level.choices, default=Level.ONE)
    setting = models.CharField("区域类型", max_length=10, choices=Setting.choices, default=Setting.URBAN)
    parent = models.ForeignKey(
        "self", verbose_name="上级网格", null=True, blank=True, related_name="children", on_delete=models.PROTECT
    )
    community = models.ForeignKey(
        "areas.Area", verbose_name="所属社区/村", related_name="grids", on_delete=models.PROTECT
    )
    geom = models.MultiPolygonField("网格边界", srid=4490)

    # Derived from buildings (以房定户) by geogrid.buildings.services.refresh_grid_counts.
    building_count = models.PositiveIntegerField("楼栋/房屋数", default=0, editable=False)
    household_count = models.PositiveIntegerField("规划户数", default=0, editable=False)
    resident_household_count = models.PositiveIntegerField("常住户数", default=0, editable=False)
    population = models.PositiveIntegerField("人口数", default=0, editable=False)

    objects = GridQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "网格"
        ordering = ["code", "generation_low_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(generation_high__isnull=True), name="grid_code_unique_current"
            ),
            models.CheckConstraint(condition=IsValid("geom"), name="grid_geom_valid"),
            models.CheckConstraint(
                condition=Q(level=1, parent__isnull=True) | Q(level__in=[2, 3], parent__isnull=False),
                name="grid_parent_by_level",
            ),
            *Versioned.Meta.constraints,
        ]
        indexes = [models.Index(fields=["community", "level"])]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class GridPart(models.Model):
    """Subdivided pieces (ST_Subdivide) of current grids: the fast path for point lookup.

    Maintained by a database trigger on the grid table (see migration 0002), so it can never drift
    from the grids, whoever writes them.
    """

    grid = models.ForeignKey(Grid, related_name="parts", on_delete=models.CASCADE)
    level = models.PositiveSmallIntegerField()
    geom = models.PolygonField(srid=4490)

    class Meta:
        verbose_name = verbose_name_plural = "网格分片（查询加速）"
