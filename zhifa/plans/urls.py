"""/plans/: the learner's plan and the console's plan, progress, rotation and content-currency pages."""

from django.urls import path

from zhifa.plans import console_views, rotation_views, views

app_name = "plans"

urlpatterns = [
    path("my/", views.my_plan, name="my-plan"),
    path("", console_views.plan_list, name="plan-list"),
    path("new/", console_views.plan_create, name="plan-create"),
    path("<int:plan_id>/", console_views.plan_detail, name="plan-detail"),
    path("<int:plan_id>/items/", console_views.item_add, name="item-add"),
    path("<int:plan_id>/items/<int:item_id>/remove/", console_views.item_remove, name="item-remove"),
    path("<int:plan_id>/publish/", console_views.plan_publish, name="plan-publish"),
    path("<int:plan_id>/withdraw/", console_views.plan_withdraw, name="plan-withdraw"),
    path("<int:plan_id>/delete/", console_views.plan_delete, name="plan-delete"),
    path("<int:plan_id>/copy/", console_views.plan_copy, name="plan-copy"),
    path("<int:plan_id>/progress/", console_views.plan_progress, name="plan-progress"),
    path("<int:plan_id>/progress/export.xlsx", console_views.progress_export, name="progress-export"),
    path("<int:plan_id>/progress/remind/", console_views.progress_remind, name="progress-remind"),
    path("assignments/<int:assignment_id>/exempt/", console_views.assignment_exempt, name="assignment-exempt"),
    path("summary.pdf", console_views.summary_pdf, name="summary-pdf"),
    path("rotation/", rotation_views.rotation_list, name="rotation"),
    path("rotation/<int:rule_id>/", rotation_views.rotation_rule, name="rotation-rule"),
    path("rotation/<int:rule_id>/items/", rotation_views.rule_items, name="rotation-items"),
    path("rotation/<int:rule_id>/batches/", rotation_views.batch_create, name="batch-create"),
    path("rotation/batches/<int:batch_id>/enrol/", rotation_views.batch_enrol, name="batch-enrol"),
    path("rotation/batches/<int:batch_id>/finish/", rotation_views.batch_finish, name="batch-finish"),
    path("content/", rotation_views.content_list, name="content"),
    path("content/review/", rotation_views.content_review, name="content-review"),
]
