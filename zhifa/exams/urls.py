from django.urls import path

from zhifa.exams import console_views, offline_views, views

app_name = "exams"

urlpatterns = [
    path("", views.exam_list, name="exam-list"),
    path("<int:exam_id>/", views.exam_detail, name="exam-detail"),
    path("<int:exam_id>/start/", views.exam_start, name="exam-start"),
    path("attempts/<int:attempt_id>/", views.attempt_take, name="attempt-take"),
    path("attempts/<int:attempt_id>/result/", views.attempt_result, name="attempt-result"),
    path("manage/", console_views.exam_manage_list, name="manage-list"),
    path("manage/new/", console_views.exam_edit, name="manage-create"),
    path("manage/<int:exam_id>/", console_views.exam_edit, name="manage-edit"),
    path("manage/<int:exam_id>/papers/", console_views.exam_build_papers, name="manage-build"),
    path("manage/<int:exam_id>/publish/", console_views.exam_publish, name="manage-publish"),
    path("manage/<int:exam_id>/results/", console_views.exam_results, name="manage-results"),
    path("manage/<int:exam_id>/results.xlsx", console_views.exam_results_export, name="manage-results-export"),
    path("manage/<int:exam_id>/analysis/", console_views.exam_analysis, name="manage-analysis"),
    path("manage/<int:exam_id>/analysis.xlsx", console_views.exam_analysis_export, name="manage-analysis-export"),
    path("manage/<int:exam_id>/offline/", offline_views.exam_offline, name="manage-offline"),
    path("manage/<int:exam_id>/offline/results.xlsx", offline_views.offline_results_template, name="offline-template"),
    path(
        "manage/<int:exam_id>/offline/<int:form>/<str:part>.<str:fmt>",
        offline_views.offline_download,
        name="offline-download",
    ),
    path("manage/items/", console_views.item_analysis_across, name="manage-items"),
    path("manage/items.xlsx", console_views.item_analysis_across_export, name="manage-items-export"),
    path("manage/grading/", console_views.grading_queue, name="grading-queue"),
    path("manage/grading/<int:answer_id>/", console_views.grading_answer, name="grading-answer"),
]
