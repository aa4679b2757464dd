from django.urls import path

from zhifa.cases import console_views, views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="case-list"),
    path("<int:case_id>/", views.case_detail, name="case-detail"),
    path("drills/", views.scenario_list, name="scenario-list"),
    path("drills/<slug:key>/", views.scenario_detail, name="scenario-detail"),
    path("drills/<slug:key>/start/", views.run_start, name="run-start"),
    path("runs/<int:run_id>/", views.run_play, name="run-play"),
    path("runs/<int:run_id>/debrief/", views.run_debrief, name="run-debrief"),
    path("manage/", console_views.manage, name="manage"),
    path("manage/cases/", console_views.case_manage, name="case-manage"),
    path("manage/cases/new/", console_views.case_form, name="case-new"),
    path("manage/cases/<int:case_id>/", console_views.case_form, name="case-edit"),
    path("manage/scenarios/new/", console_views.scenario_new, name="scenario-new"),
    path("manage/scenarios/<int:scenario_id>/", console_views.scenario_edit, name="scenario-edit"),
    path(
        "manage/scenarios/<int:scenario_id>/discretion/", console_views.scenario_discretion, name="scenario-discretion"
    ),
    path("manage/validate/", console_views.scenario_validate, name="scenario-validate"),
    path("manage/versions/<int:version_id>/publish/", console_views.version_publish, name="version-publish"),
    path("manage/versions/<int:version_id>/graph.svg", console_views.version_graph, name="version-graph"),
    path("manage/versions/<int:version_id>/preview/", console_views.version_preview, name="version-preview"),
]
