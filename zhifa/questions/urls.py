"""The bank pages under /questions/ (namespace "questions")."""

from django.urls import path

from zhifa.questions import views

app_name = "questions"

urlpatterns = [
    path("", views.question_list, name="question-list"),
    path("new/", views.question_create, name="question-create"),
    path("tag/", views.question_tag, name="question-tag"),
    path("duplicates/", views.duplicate_list, name="duplicate-list"),
    path("import/", views.import_page, name="import-page"),
    path("import/template.xlsx", views.import_template, name="import-template"),
    path("import/sample.docx", views.import_sample_docx, name="import-sample-docx"),
    path("banks/", views.bank_list, name="bank-list"),
    path("banks/<int:bank_id>/", views.bank_edit, name="bank-edit"),
    path("import/<int:batch_id>/", views.import_detail, name="import-detail"),
    path("export/<str:fmt>/", views.question_export, name="question-export"),
    path("<int:question_id>/", views.question_detail, name="question-detail"),
    path("<int:question_id>/edit/", views.question_edit, name="question-edit"),
    path("<int:question_id>/status/", views.question_status, name="question-status"),
]
