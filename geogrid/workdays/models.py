"""The working-day calendar: Monday to Friday are working days except for the stored exceptions.

Only exceptions are stored (a weekday off for a holiday, a weekend day worked to make up for one), a few dozen
rows a year. Whether a year's exceptions are complete is recorded apart in `CalendarYear`: a year without it
is computed by the weekend rule alone and every deadline touching it says so (`selectors.Deadline.estimated`).
"""
from django.core.exceptions import ValidationError
from django.db import models

from geogrid.core.audit import audited


@audited()
class CalendarDay(models.Model):
    """节假日调整: one day that breaks the Monday-to-Friday rule."""

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField(
        "是否上班", help_text="不勾选：工作日放假（法定节假日）；勾选：周末上班（调休上班）",
    )
    name = models.CharField("节日", max_length=50, help_text="如 春节、国庆节")

    class Meta:
        verbose_name = verbose_name_plural = "节假日调整"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}{'调休上班' if self.is_workday else '放假'}"

    def clean(self) -> None:
        """A row that agrees with the Monday-to-Friday rule is no exception and would only hide a typo."""
        if self.date is not None and self.is_workday == (self.date.weekday() < 5):
            raise ValidationError({"is_workday": "该日期按周一至周五规则本来就是这样，无需录入"})


@audited()
class CalendarYear(models.Model):
    """已知年份: a year whose holidays and make-up workdays are all in `CalendarDay`."""

    MANUAL = "手工录入"  # a year entered by staff; seeding from the package never touches it

    year = models.PositiveSmallIntegerField("年份", unique=True)
    source = models.CharField(
        "来源", max_length=50, default=MANUAL,
        help_text="“chinese-calendar 版本号” 为自动导入，“手工录入” 不会被导入覆盖",
    )

    class Meta:
        verbose_name = verbose_name_plural = "已知年份"
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}年（{self.source}）"
