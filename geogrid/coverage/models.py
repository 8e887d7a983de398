"""Grid sizing and coverage rules (网格划分规则), one rule set per county plus the default.

Every number comes from the seed documents summarised in DOMAIN.md and is only a default: each county writes
its own rules (DOMAIN.md: "make every such number a configurable default"). The coverage validator reads
them through `geogrid.coverage.selectors.rules_for`.
"""
from dataclasses import dataclass

from django.db import models
from django.db.models import F, Q

from geogrid.core.audit import audited
from geogrid.core.tolerances import SLIVER_AREA_M2, SLIVER_WIDTH_M
from geogrid.grids.models import Grid


@dataclass(frozen=True)
class SizeRule:
    """One household-count rule: grids of `level` (and `setting`, None = any) must hold between `minimum`
    and `maximum` households (None = no bound), counting resident (常住) or planned (规划) households."""

    name: str
    level: int
    setting: str | None
    counts_resident: bool
    minimum: int | None
    maximum: int | None

    def applies_to(self, level: int, setting: str) -> bool:
        return self.level == level and self.setting in (None, setting)

    def violation(self, households: int, resident_households: int) -> str | None:
        """What is wrong with a grid of these counts under this rule, or None."""
        value = resident_households if self.counts_resident else households
        if self.minimum is not None and value < self.minimum:
            return f"{self.name} {value} 少于 {self.minimum}"
        if self.maximum is not None and value > self.maximum:
            return f"{self.name} {value} 超过 {self.maximum}"
        return None


def _households(verbose_name: str, default: int, help_text: str) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(verbose_name, default=default, help_text=help_text)


@audited()
class SizingRules(models.Model):
    """网格划分规则: household ranges per grid setting and level, sliver tolerance, overlap policy."""

    county = models.ForeignKey(
        "areas.Area", verbose_name="适用县/区", null=True, blank=True, on_delete=models.CASCADE,
        related_name="sizing_rules", limit_choices_to={"kind": "county"},
        help_text="为空表示默认规则：未制定本地规则的县/区使用默认规则",
    )
    basis = models.CharField("规则依据", max_length=200, blank=True, help_text="如：本县网格化服务管理工作方案文号")

    urban_min_households = _households("城市网格户数下限", 200, "种子000：城市网格按200-300户划分")
    urban_max_households = _households("城市网格户数上限", 300, "种子000：200-300户；种子003（第四方案）：300户")
    rural_min_households = _households("农村网格户数下限", 100, "种子001：农村网格100-300户（种子000：约150户）")
    rural_max_households = _households("农村网格户数上限", 300, "种子001：农村网格100-300户")
    estate_max_planned_households = _households(
        "小区网格规划户数上限", 500, "种子001：住宅小区网格规划户数不超过500户")
    estate_min_resident_households = _households(
        "小区网格常住户数下限", 250, "种子001：住宅小区网格常住户数不少于250户")
    level1_range_enabled = models.BooleanField(
        "按一级网格户数范围校验", default=False,
        help_text="种子004：一级网格300-500户，不足300户的小区与相邻小区合并。启用后一级城市、农村网格按此范围校验，"
                  "代替上面的城市、农村范围",
    )
    level1_min_households = _households("一级网格户数下限", 300, "种子004：一级网格300-500户")
    level1_max_households = _households("一级网格户数上限", 500, "种子004：一级网格300-500户")
    level3_min_households = _households("三级网格户数下限", 20, "种子004：三级网格（单元）约30户，默认允许20-40户")
    level3_max_households = _households("三级网格户数上限", 40, "种子004：三级网格（单元）约30户，默认允许20-40户")

    # The defaults are the database's containment tolerance (geogrid.core.tolerances): one number for both.
    sliver_tolerance_m2 = models.FloatField(
        "碎片面积阈值（平方米）", default=SLIVER_AREA_M2,
        help_text="面积小于此值的空白、重叠、越界和楼栋分割记为“碎片”（数字化误差），单独列出，不算错误。"
                  "默认值即数据库越界容差 geogrid.containment_tolerance_m2",
    )
    sliver_width_m = models.FloatField(
        "碎片平均宽度阈值（米）", default=SLIVER_WIDTH_M,
        help_text="平均宽度（2×面积/周长）小于此值的也记为“碎片”：坐标转换留下的细缝，面积可能大于上面的阈值。"
                  "默认值即数据库容差 geogrid.containment_sliver_width_m",
    )
    repair_gap_width_m = models.FloatField(
        "修复时并入相邻网格的空白宽度（米）", default=1.0,
        help_text="修复预览中，窄于此宽度的网格间空白并入相邻网格（共边最长者）；更宽的空白保留并报告",
    )
    exclusive_may_overlap = models.BooleanField(
        "专属网格可与综合网格重叠", default=False,
        help_text="种子003：不留网格管理空白点和交叉点；种子004：覆盖全面、不交叉重叠。"
                  "仅当本地规则允许专属网格叠加在综合网格之上时启用",
    )

    class Meta:
        verbose_name = verbose_name_plural = "网格划分规则"
        ordering = [F("county__code").asc(nulls_first=True)]
        constraints = [
            models.UniqueConstraint(fields=["county"], nulls_distinct=False, name="sizing_rules_one_per_county"),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{low}__lte": F(high)}), name=f"sizing_rules_{prefix}_range",
                    violation_error_message="户数下限不能大于上限",
                )
                for prefix, low, high in (
                    ("urban", "urban_min_households", "urban_max_households"),
                    ("rural", "rural_min_households", "rural_max_households"),
                    ("level1", "level1_min_households", "level1_max_households"),
                    ("level3", "level3_min_households", "level3_max_households"),
                )
            ),
            models.CheckConstraint(
                condition=Q(sliver_tolerance_m2__gte=0) & Q(sliver_width_m__gte=0) & Q(repair_gap_width_m__gte=0),
                name="sizing_rules_tolerances_not_negative",
                violation_error_message="阈值不能为负数",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.county.name}网格划分规则" if self.county_id else "默认网格划分规则"

    def size_rules(self) -> list[SizeRule]:
        """The household rules as data, for the validator. Setting rules apply to level-1 grids, the
        stairwell-unit rule to level 3; level 2 (a building, or about 30 rural households) has none."""
        others = [
            SizeRule("小区网格规划户数", 1, Grid.Setting.ESTATE, False, None, self.estate_max_planned_households),
            SizeRule("小区网格常住户数", 1, Grid.Setting.ESTATE, True, self.estate_min_resident_households, None),
            SizeRule("三级网格户数", 3, None, False, self.level3_min_households, self.level3_max_households),
        ]
        if self.level1_range_enabled:
            level1 = (self.level1_min_households, self.level1_max_households)
            return [SizeRule("一级网格户数", 1, setting, False, *level1)
                    for setting in (Grid.Setting.URBAN, Grid.Setting.RURAL)] + others
        return [
            SizeRule("城市网格户数", 1, Grid.Setting.URBAN, False, self.urban_min_households, self.urban_max_households),
            SizeRule("农村网格户数", 1, Grid.Setting.RURAL, False, self.rural_min_households, self.rural_max_households),
        ] + others
