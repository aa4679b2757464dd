"""Django admin (system administrators only): read-only views for support. Every change goes through the console's
services, which audit grades; the admin must not become a way around them."""

from django.contrib import admin

from zhifa.exams.models import Attempt, AttemptEvent, Exam, ExamPaper, Grade, ManualGrade, QualificationRecord


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Exam)
class ExamAdmin(ReadOnlyAdmin):
    list_display = ["title", "unit", "opens_at", "closes_at", "status", "paper_mode"]
    list_filter = ["status", "paper_mode", "is_qualification"]
    search_fields = ["title"]


@admin.register(Attempt)
class AttemptAdmin(ReadOnlyAdmin):
    list_display = ["pk", "exam", "officer", "number", "status", "deadline", "last_seq"]
    list_filter = ["status"]


for model in (ExamPaper, AttemptEvent, Grade, ManualGrade, QualificationRecord):
    admin.site.register(model, ReadOnlyAdmin)
