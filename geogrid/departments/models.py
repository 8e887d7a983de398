"""Departments (部门) and their business grids (业务网格).

A business grid starts as the polygon a department drew. Once aligned (多网合一) it is held as the set of
base grids it covers (``base_grids``) and its geometry is their exact union, so it stays aligned when
base grids change (DESIGN-NOTES: Districtr-style units).
"""
from django.contrib.gis.db import models
from django.contrib.gis.db.models.functions import IsValid
from django.db.models import Q

from geogrid.core.models import Versioned
from geogrid.core.audit import audited


@audited()
class Department(models.Model):
    """部门: a town-level section or a district-level department."""

    class Tier(models.TextChoices):
        TOWN = "town", "乡镇（街道）级"
        DISTRICT = "district", "县（区）级"

    code = models.CharField("部门代码", max_length=20, unique=True)
    name = models.CharField("部门名称", max_length=100)
    tier = models.CharField("层级", max_length=10, choices=Tier.choices)
    area = models.ForeignKey(
        "areas.Area", verbose_name="所属区划", related_name="departments", on_delete=models.PROTECT,
        help_text="镇级部门属于街道/乡镇，区级部门属于县/区",
    )

    class Meta:
        verbose_name = verbose_name_plural = "部门"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


@audited()
class BusinessGrid(Versioned):
    """业务网格: one department's grid."""

    class Source(models.TextChoices):
        DRAWN = "drawn", "自绘边界"
        BASE_UNITS = "base_units", "由基础网格组成"

    department = models.ForeignKey(
        Department, verbose_name="部门", related_name="business_grids", on_delete=models.PROTECT
    )
    code = models.CharField("业务网格编码", max_length=30)
    name = models.CharField("业务网格名称", max_length=100)
    source = models.CharField("边界来源", max_length=12, choices=Source.choices, default=Source.DRAWN)
    base_grids = models.ManyToManyField(
        "grids.Grid", verbose_name="对应基础网格", blank=True, related_name="business_grids"
    )
    geom = models.MultiPolygonField("边界", srid=4490)

    class Meta:
        verbose_name = verbose_name_plural = "业务网格"
        ordering = ["department", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "code"], condition=Q(generation_high__isnull=True),
                name="business_grid_code_unique_current",
            ),
            models.CheckConstraint(condition=IsValid("geom"), name="business_grid_geom_valid"),
            *Versioned.Meta.constraints,
        ]

    def __str__(self) -> str:
        return f"{self.department.name} {self.name}"


@audited(model_name="BusinessGridBaseGridAudit", verbose_name="业务网格对应基础网格", keep_obj=False)
class AuditedBusinessGridBaseGrid(BusinessGrid.base_grids.through):
    """Which base grids a business grid covers (a proxy: triggers on the link table migrate only through one)."""

    class Meta:
        proxy = True
