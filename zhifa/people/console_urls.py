"""The admin console's people pages (units, officers, import, audit log), under /people/."""

from django.urls import path

from zhifa.people import console_views as views

app_name = "console"
urlpatterns = [
    path("", views.console_home, name="home"),
    path("units/", views.unit_list, name="unit-list"),
    path("officers/", views.officer_list, name="officer-list"),
    path("officers/new/", views.officer_create, name="officer-create"),
    path("officers/export.xlsx", views.officer_export, name="officer-export"),
    path("officers/<int:officer_id>/", views.officer_detail, name="officer-detail"),
    path("officers/<int:officer_id>/edit/", views.officer_edit, name="officer-edit"),
    path("officers/<int:officer_id>/unmask/", views.officer_unmask, name="officer-unmask"),
    path("officers/<int:officer_id>/password/", views.officer_password_reset, name="officer-password-reset"),
    path("officers/<int:officer_id>/roles/", views.officer_role_grant, name="officer-role-grant"),
    path("roles/<int:grant_id>/revoke/", views.role_revoke, name="role-revoke"),
    path("import/", views.officer_import, name="officer-import"),
    path("import/template.xlsx", views.officer_import_template, name="officer-import-template"),
    path("import/<int:import_id>/", views.officer_import_detail, name="officer-import-detail"),
    path("import/<int:import_id>/confirm/", views.officer_import_confirm, name="officer-import-confirm"),
    path("audit/", views.audit_list, name="audit-list"),
    path("audience/count/", views.audience_count, name="audience-count"),
]
