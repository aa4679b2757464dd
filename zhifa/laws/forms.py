"""Forms of the law library pages."""

from __future__ import annotations

from django import forms

from zhifa.laws.sources import MAX_FILE_BYTES

ACCEPTED = (".txt", ".md", ".docx", ".zip", ".tar.gz", ".tgz")
MAX_UPLOAD_BYTES = 5 * MAX_FILE_BYTES


class ImportForm(forms.Form):
    upload = forms.FileField(
        label="法规文件", help_text="单个 .txt / .md / .docx 文件，或包含多个文件的 .zip / .tar.gz 压缩包"
    )
    replace = forms.BooleanField(label="以本文件更正同一日期的已有版本", required=False)

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        if not upload.name.lower().endswith(ACCEPTED):
            raise forms.ValidationError("不支持的文件类型：请上传 .txt、.md、.docx、.zip 或 .tar.gz 文件")
        if upload.size == 0:
            raise forms.ValidationError("文件为空，请检查后重新上传")
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(f"文件超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB，请拆分后上传")
        return upload


class VersionDateForm(forms.Form):
    version_date = forms.DateField(
        label="版本日期",
        help_text="公布或最近一次修正、修订的日期（见原文或国家法律法规数据库）",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "请填写版本日期", "invalid": "日期格式应为 2021-01-22"},
    )


class DateForm(forms.Form):
    on = forms.DateField(label="查看某日有效的文本", required=False, widget=forms.DateInput(attrs={"type": "date"}))
