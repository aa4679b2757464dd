"""/evaluation/: indicators, case-file review, third-party review, the annual assessment."""

from django.urls import path

from zhifa.evaluation import assessment_views as av
from zhifa.evaluation import rubric_views as rv
from zhifa.evaluation import views

app_name = "evaluation"

urlpatterns = [
    path("", views.index, name="index"),
    path("periods/new/", views.period_create, name="period-create"),
    path("periods/<int:period_id>/", views.period_detail, name="period-detail"),
    path("periods/<int:period_id>/weights/", views.period_weights, name="period-weights"),
    path("periods/<int:period_id>/values/", views.value_enter, name="value-enter"),
    path("periods/<int:period_id>/import/", views.values_import, name="values-import"),
    path("periods/<int:period_id>/rubric/", rv.rubric_period, name="rubric-period"),
    path("rubrics/", rv.rubric_list, name="rubric-list"),
    path("rubrics/template/", rv.rubric_template, name="rubric-template"),
    path("rubrics/<int:rubric_id>/", rv.rubric_detail, name="rubric-detail"),
    path("casefiles/", views.casefile_list, name="casefile-list"),
    path("casefiles/new/", views.casefile_upload, name="casefile-upload"),
    path("casefiles/sample/", views.casefile_sample, name="casefile-sample"),
    path("casefiles/<int:case_file_id>/", views.casefile_detail, name="casefile-detail"),
    path("casefiles/<int:case_file_id>/file/", views.casefile_download, name="casefile-download"),
    path("training/", views.training_list, name="training-list"),
    path("training/<int:case_file_id>/", views.training_detail, name="training-detail"),
    path("assignments/", views.assignment_list, name="assignment-list"),
    path("assignments/new/", views.assignment_create, name="assignment-create"),
    path("evaluator/", views.evaluator_home, name="evaluator-home"),
    path("evaluator/<int:assignment_id>/", views.evaluator_assignment, name="evaluator-assignment"),
    path("evaluator/<int:assignment_id>/units/<int:unit_id>/", views.evaluator_review, name="evaluator-review"),
    path(
        "evaluator/<int:assignment_id>/officers/<int:officer_id>/",
        views.evaluator_officer_review,
        name="evaluator-officer-review",
    ),
    path("assessments/new/", av.assessment_create, name="assessment-create"),
    path("assessments/<int:assessment_id>/", av.assessment_detail, name="assessment-detail"),
    path("assessments/<int:assessment_id>/approve/", av.assessment_approve, name="assessment-approve"),
    path("assessments/<int:assessment_id>/publicise/", av.assessment_publicise, name="assessment-publicise"),
    path("assessments/<int:assessment_id>/finalise/", av.assessment_finalise, name="assessment-finalise"),
    path("assessments/<int:assessment_id>/export.xlsx", av.assessment_export, name="assessment-export"),
    path("assessments/<int:assessment_id>/export.pdf", av.assessment_export_pdf, name="assessment-export-pdf"),
    path("assessments/<int:assessment_id>/suggestions/", av.suggestions, name="suggestions"),
    path("results/<int:result_id>/", av.result_detail, name="result-detail"),
    path("results/<int:result_id>/adjust/", av.result_adjust, name="result-adjust"),
    path("results/<int:result_id>/objection/", av.objection_submit, name="objection-submit"),
    path("objections/<int:objection_id>/resolve/", av.objection_resolve, name="objection-resolve"),
    path("my/", av.my_assessment, name="my-assessment"),
    path("dashboard/", av.dashboard, name="dashboard"),
]
