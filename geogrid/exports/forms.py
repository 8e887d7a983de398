"""The export form (数据导出), also used to validate the API's query parameters."""
from django import forms
from django.contrib.auth.models import User
from django.utils.translation import gettext as _

from geogrid.accounts.selectors import area_code_prefix, departments_visible_to
from geogrid.areas.models import Area
from geogrid.core.crs import CoordinateError, parse_crs
from geogrid.exports.models import TARGETS
from geogrid.exports.services import FORMATS

FORMAT_LABELS = {"geojson": "GeoJSON", "gpkg": "GeoPackage", "shp": "Shapefile（zip，UTF-8）", "kml": "KML",
                 "xlsx": "Excel 网格台账"}
CRS_CHOICES = [("cgcs2000", "CGCS2000（EPSG:4490）"), ("wgs84", "WGS84（EPSG:4326，GPS/奥维）"),
               ("gcj02", "GCJ-02（高德/腾讯/微信）"), ("bd09", "BD-09（百度）"), ("other", "其他 EPSG 代码…")]


class ExportForm(forms.Form):
    target = forms.ChoiceField(label="导出内容", choices=TARGETS.items())
    format = forms.ChoiceField(label="格式", choices=[(f, FORMAT_LABELS[f]) for f in FORMATS])
    crs = forms.ChoiceField(label="坐标系", choices=CRS_CHOICES, initial="cgcs2000", required=False)
    epsg = forms.CharField(label="EPSG 代码", required=False, help_text="选“其他”时填写，如 EPSG:4545（CGCS2000 高斯投影 36 带）")
    area = forms.ChoiceField(label="区域", required=False)
    department = forms.ChoiceField(label="部门（业务网格）", required=False)

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        prefix = area_code_prefix(user) or ""
        areas = Area.objects.filter(code__startswith=prefix).exclude(kind=Area.Kind.COUNTY).order_by("code")
        own = [] if prefix else [("", "全部")]
        self.fields["area"].choices = own + [(a.code, f"{a.name}（{a.code}）") for a in areas]
        self.fields["department"].choices = [("", "—")] + [
            (d.code, d.name) for d in departments_visible_to(user).order_by("code")]

    def clean(self) -> dict:
        """Adds `parsed_crs`: the named CRS or the EPSG code typed in."""
        data = super().clean()
        if data.get("format") == "xlsx" and data.get("target") != "grids":
            self.add_error("format", forms.ValidationError(_("The Excel ledger is for grids only."),
                                                           code="ledger_grids_only"))
        if "crs" in data:
            other = data["crs"] == "other"
            try:
                data["parsed_crs"] = parse_crs(data.get("epsg") if other else data["crs"] or "cgcs2000")
            except CoordinateError as error:
                self.add_error("epsg" if other else "crs", forms.ValidationError(str(error), code=error.code))
        return data
