from django.urls import URLPattern, path

from zhifa.courses import manage_views, views

app_name = "courses"
urlpatterns: list[URLPattern] = [
    path("", views.catalogue, name="catalogue"),
    path("<int:course_id>/", views.course_detail, name="course-detail"),
    path("<int:course_id>/cover", views.course_cover, name="course-cover"),
    path("lessons/<int:lesson_id>/", views.lesson_detail, name="lesson-detail"),
    path("lessons/<int:lesson_id>/document", views.lesson_document, name="lesson-document"),
    path("lessons/<int:lesson_id>/quiz", views.quiz_submit, name="quiz-submit"),
    path("videos/<int:video_id>/<str:kind>", views.video_file, name="video-file"),
    path("certificates/<str:code>/pdf", views.certificate_pdf, name="certificate-pdf"),
    path("certificates/<str:code>/verify/", views.certificate_verify, name="certificate-verify"),
    path("manage/", manage_views.manage, name="manage"),
    path("manage/new", manage_views.course_create, name="course-create"),
    path("manage/<int:course_id>/", manage_views.course_edit, name="course-edit"),
    path("manage/<int:course_id>/publish", manage_views.course_publish, name="course-publish"),
    path("manage/<int:course_id>/chapters", manage_views.chapter_create, name="chapter-create"),
    path("manage/chapters/<int:chapter_id>/lessons/new", manage_views.lesson_create, name="lesson-create"),
    path("manage/lessons/<int:lesson_id>/", manage_views.lesson_edit, name="lesson-edit"),
    path("manage/lessons/<int:lesson_id>/checkpoints", manage_views.checkpoint_create, name="checkpoint-create"),
    path("manage/videos/", manage_views.video_upload, name="video-upload"),
    path("manage/videos/<int:video_id>/status", manage_views.video_status, name="video-status"),
    path("manage/certificates/<str:code>/revoke", manage_views.certificate_revoke, name="certificate-revoke"),
]
