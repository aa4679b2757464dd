"""Django admin (system administrators): rule sets and their sources, exam links; history is read-only."""

from django.contrib import admin

from zhifa.certificates.models import CertificateExam, CertificateRuleSet


class CertificateExamInline(admin.TabularInline):
    model = CertificateExam
    extra = 0
    raw_id_fields = ["exam"]


@admin.register(CertificateRuleSet)
class CertificateRuleSetAdmin(admin.ModelAdmin):
    list_display = ["province", "name", "validity_years", "yearly_hours_total", "exam_pass_mark"]
    inlines = [CertificateExamInline]
