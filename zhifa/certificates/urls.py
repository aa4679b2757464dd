"""/certificates/: 我的执法证 (learner) and the console's annual review, certificate actions, acts and rules."""

from django.urls import path

from zhifa.certificates import views

app_name = "certificates"

urlpatterns = [
    path("", views.my_certificate, name="my-certificate"),
    path("review/", views.review_list, name="review-list"),
    path("review/export.xlsx", views.review_export, name="review-export"),
    path("review/confirm/", views.review_confirm, name="review-confirm"),
    path("officers/<int:officer_id>/", views.officer_detail, name="officer-detail"),
    path("officers/<int:officer_id>/<slug:action>/", views.officer_action, name="officer-action"),
    path("acts/", views.acts, name="acts"),
    path("acts/template.xlsx", views.acts_template, name="acts-template"),
    path("rules/", views.rules, name="rules"),
    path("rules/exams/", views.exam_link, name="exam-link"),
]
