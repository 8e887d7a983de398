"""Admin for the working-day calendar: staff enter the holidays of years the package does not know yet, then
add the year to 已知年份 (source 手工录入) so deadlines stop being marked estimated."""
from django.contrib import admin

from geogrid.workdays.models import CalendarDay, CalendarYear

WEEKDAYS = "一二三四五六日"


@admin.register(CalendarDay)  # one national calendar for everyone: not scoped
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "weekday", "is_workday", "name"]
    list_filter = ["is_workday", "name"]
    search_fields = ["name"]
    date_hierarchy = "date"

    @admin.display(description="星期", ordering="date")
    def weekday(self, obj: CalendarDay) -> str:
        return f"星期{WEEKDAYS[obj.date.weekday()]}"


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "source"]
    list_filter = ["source"]
