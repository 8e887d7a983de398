"""The hotline upload form (/events/hotline)."""
from pathlib import Path

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet

from geogrid.areas.models import Area
from geogrid.hotline.readers import COLUMNS

MAX_UPLOAD_MB = 20  # a day's batch is a few thousand rows: far below this


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
