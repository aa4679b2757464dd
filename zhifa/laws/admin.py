"""Django admin (system administrators): read-mostly views of laws, versions, citations and import jobs."""

from django.contrib import admin

from zhifa.laws.models import Citation, ImportJob, Law, LawVersion


class LawVersionInline(admin.TabularInline):
    model = LawVersion
    fields = ("version_date", "status", "is_current", "effective", "article_count", "source_name")
    readonly_fields = ("version_date", "is_current", "effective", "article_count", "source_name")
    extra = 0
    show_change_link = True


@admin.register(Law)
class LawAdmin(admin.ModelAdmin):
    list_display = ("title", "short_title", "category", "region", "issuing_body")
    list_filter = ("category", "region")
    search_fields = ("title", "short_title")
    filter_horizontal = ("domains",)
    inlines = [LawVersionInline]


@admin.register(LawVersion)
class LawVersionAdmin(admin.ModelAdmin):
    list_display = ("law", "version_date", "status", "is_current", "article_count")
    list_filter = ("status", "is_current")
    search_fields = ("law__title",)
    readonly_fields = ("checksum", "source_text", "history", "article_count")


@admin.register(Citation)
class CitationAdmin(admin.ModelAdmin):
    list_display = ("article_key", "content_type", "object_id", "needs_review")
    list_filter = ("needs_review", "content_type")
    search_fields = ("article_key",)


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ("name", "status", "done", "total", "created_at")
    readonly_fields = ("report",)
