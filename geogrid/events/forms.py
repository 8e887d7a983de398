"""The forms of the ticket pages: the report form (/report/) and the hotline upload (/events/hotline)."""
from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet

from geogrid.areas.models import Area
from geogrid.core.crs import CoordinateError, parse_point
from geogrid.events.hotline import COLUMNS
from geogrid.events.selectors import reportable_categories

MAX_UPLOAD_MB = 20  # a day's batch is a few thousand rows: far below this
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


class HotlineUploadForm(forms.Form):
    file = forms.FileField(label="工单文件", help_text="12345 热线导出的 CSV 或 XLSX，第一行为列名："
                                                   + "、".join(c.name for c in COLUMNS))
    street = forms.ModelChoiceField(label="街道（未匹配地址的工单进入其待定位队列）", queryset=Area.objects.none(),
                                    to_field_name="code")
    encoding = forms.ChoiceField(label="CSV 编码", required=False,
                                 choices=[("", "UTF-8"), ("gbk", "GBK（Excel 另存的 CSV）")])
    dry_run = forms.BooleanField(label="只检查不导入", required=False)

    def __init__(self, *args, streets: QuerySet[Area], **kwargs):
        """The street is asked only when the user's area has several; with one, it is that one."""
        super().__init__(*args, **kwargs)
        self.only_street = None
        if len(streets) > 1:
            self.fields["street"].queryset = streets
        else:
            del self.fields["street"]
            self.only_street = streets[0] if streets else None

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in (".csv", ".xlsx"):
            raise forms.ValidationError("请上传 CSV 或 XLSX 文件 / a hotline batch is a CSV or XLSX file")
        if upload.size > MAX_UPLOAD_MB * 1024 * 1024:
            raise forms.ValidationError(f"文件超过 {MAX_UPLOAD_MB} MB / the file is larger than {MAX_UPLOAD_MB} MB")
        return upload

    @property
    def queue_street(self) -> Area | None:
        return self.cleaned_data.get("street") or self.only_street
