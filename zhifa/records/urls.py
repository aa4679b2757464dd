"""/records/: the learner's record (我的学习档案) and the console's hours pages."""

from django.urls import path

from zhifa.records import console_views, views

app_name = "records"

urlpatterns = [
    path("", views.my_record, name="my-record"),
    path("entries/new/", views.entry_submit, name="entry-submit"),
    path("entries/<int:entry_id>/evidence/", views.entry_evidence, name="entry-evidence"),
    path("transcript.pdf", views.transcript, name="transcript"),
    path("xapi.json", views.xapi_export, name="xapi-export"),
    path("hours-ring/", views.hours_ring, name="hours-ring"),
    path("officers/<int:officer_id>/", views.officer_record, name="officer-record"),
    path("officers/<int:officer_id>/transcript.pdf", views.officer_transcript, name="officer-transcript"),
    path("officers/<int:officer_id>/xapi.json", views.officer_xapi, name="officer-xapi"),
    path("compliance/", console_views.compliance, name="compliance"),
    path("compliance/officers/", console_views.compliance_officers, name="compliance-officers"),
    path("compliance/export.xlsx", console_views.compliance_export, name="compliance-export"),
    path("review/", console_views.review_list, name="review-list"),
    path("review/<int:entry_id>/", console_views.entry_review, name="entry-review"),
    path("requirements/", console_views.requirements, name="requirements"),
]
