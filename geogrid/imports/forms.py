"""The upload form (数据导入)."""
from django import forms
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from geogrid.accounts.selectors import area_code_prefix, scope_of
from geogrid.departments.models import Department
from geogrid.imports.models import ImportJob
from geogrid.imports.schemas import SCHEMAS
from geogrid.imports.services import may_import

MAX_UPLOAD_MB = 512


def importable_departments(user: User) -> QuerySet[Department]:
    """Whose business grids the user may import: a department user's own department; an area user's, the
    departments of the area and the areas under it (not another street's, nor a county bureau's layer);
    every department for superusers, none without a scope."""
    scope = scope_of(user)
    if not user.is_superuser and scope is not None and scope.department_id is not None:
        return Department.objects.filter(pk=scope.department_id)
    prefix = area_code_prefix(user)
    if prefix is None:
        return Department.objects.none()
    return Department.objects.filter(area__code__startswith=prefix).order_by("code")


class ImportForm(forms.Form):
    file = forms.FileField(label="文件", help_text="GeoJSON、Shapefile（zip）、GeoPackage、KML、CSV 或 XLSX")
    target = forms.ChoiceField(label="导入内容", choices=[(s.target, s.label) for s in SCHEMAS.values()])
    mode = forms.ChoiceField(label="导入方式", choices=ImportJob.Mode.choices, initial=ImportJob.Mode.CREATE,
                             help_text="新增：已有的编码/地址拒绝导入；更新：有变化的成为新版本；替换：文件即社区的全部网格"
                                       "（社区用户替换本社区网格：提交为一个调整申请，街道网格中心批准后生效）")
    key = forms.ChoiceField(label="楼栋匹配依据", required=False, choices=[("", "地址"), ("id", "楼栋ID")],
                            help_text="更新楼栋时按地址或 GeoGrid 楼栋ID 匹配已有楼栋")
    crs = forms.CharField(label="坐标系", required=False,
                          help_text="文件不带坐标系时必填：EPSG:4545、cgcs2000、wgs84、gcj02（高德/腾讯/微信）、bd09（百度）")
    layer = forms.CharField(label="图层", required=False, help_text="GeoPackage/KML 含多个图层时填写")
    encoding = forms.CharField(label="属性编码", required=False, help_text="无 .cpg 的 Shapefile 或 CSV，如 gbk")
    department = forms.ModelChoiceField(label="部门（业务网格）", queryset=Department.objects.none(), required=False,
                                        to_field_name="code")
    mapping = forms.CharField(label="字段对应", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="每行一个：字段=文件中的列名，如 code=WGBM")
    constants = forms.CharField(label="固定值", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                help_text="文件中没有的列，每行一个：字段=值，如 kind=社区（每个要素都取该值）")
    fix = forms.BooleanField(label="修复无效几何（make_valid）并去除 Z/M", required=False)
    dry_run = forms.BooleanField(label="试导入（只检查，不写入）", required=False)

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = importable_departments(user)
        self.fields["target"].choices = [(s.target, s.label) for s in SCHEMAS.values() if may_import(user, s)]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_MB * 1024 * 1024:
            raise forms.ValidationError(_("The file is larger than {limit} MB.").format(limit=MAX_UPLOAD_MB),
                                        code="file_too_large")
        return upload

    def clean_mapping(self) -> dict[str, str]:
        return _pairs(self.cleaned_data["mapping"], _("FIELD=COLUMN"))

    def clean_constants(self) -> dict[str, str]:
        return _pairs(self.cleaned_data["constants"], _("FIELD=VALUE"))


def _pairs(text: str, shape: str) -> dict[str, str]:
    """One `name=value` a line, blank lines skipped."""
    pairs = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        name, sep, value = line.partition("=")
        if not sep:
            raise forms.ValidationError(_("“{line}” should be written {shape}.").format(line=line, shape=shape),
                                        code="bad_pair")
        pairs[name.strip()] = value.strip()
    return pairs
