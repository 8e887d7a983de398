"""The report form of /report/."""

from django import forms
from django.core.exceptions import ValidationError

from geogrid.core.crs import CoordinateError, parse_point
from geogrid.events.selectors import reportable_categories

# The systems a phone's numbers come in: the browser's own fix is WGS84; numbers copied from a map app are not.
REPORT_CRS = (("wgs84", "WGS84（手机定位、GPS）"), ("gcj02", "GCJ-02（高德、腾讯、微信地图）"),
              ("bd09", "BD-09（百度地图）"), ("cgcs2000", "CGCS2000（国家2000坐标）"))


class ReportForm(forms.Form):
    """What the report page sends; `clean` turns the coordinates into a point in storage CRS."""

    category = forms.ModelChoiceField(queryset=reportable_categories(), to_field_name="code",
                                      error_messages={"invalid_choice": "请选择有效的事件分类"})
    description = forms.CharField(max_length=2000, strip=True)
    lon = forms.FloatField()
    lat = forms.FloatField()
    crs = forms.ChoiceField(choices=REPORT_CRS, initial="wgs84")
    address = forms.CharField(max_length=300, required=False)
    settled = forms.BooleanField(required=False)
    settled_note = forms.CharField(max_length=2000, required=False, strip=True)
    client_id = forms.CharField(max_length=64, required=False)

    def clean(self) -> dict:
        data = super().clean()
        if {"lon", "lat", "crs"} <= data.keys():
            try:
                data["point"] = parse_point(data["lon"], data["lat"], data["crs"])
            except CoordinateError as error:
                raise ValidationError(str(error)) from error
        if data.get("settled") and not data.get("settled_note"):
            self.add_error("settled_note", "当场处置须填写处置情况")
        return data
