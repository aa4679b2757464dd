from django.urls import URLPattern, path

from zhifa.reports import views

app_name = "reports"
urlpatterns: list[URLPattern] = [
    path("", views.dashboard, name="dashboard"),
    path("officers/", views.officers, name="officers"),
    path("weak/", views.weak_cell, name="weak"),
    path("weak/plan/", views.weak_to_plan, name="weak-to-plan"),
    path("exports/<int:job_id>/", views.export_job, name="export-job"),
    path("go/<int:recommendation_id>/", views.follow, name="follow"),
]
