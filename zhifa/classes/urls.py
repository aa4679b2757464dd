"""/classes/: learner pages, the check-in link, the instructor's page and the console's class pages."""

from django.urls import path

from zhifa.classes import console_views, views

app_name = "classes"

urlpatterns = [
    path("", views.my_classes, name="my-classes"),
    path("<int:class_id>/", views.class_detail, name="class-detail"),
    path("<int:class_id>/enrol/", views.class_enrol, name="class-enrol"),
    path("<int:class_id>/withdraw/", views.class_withdraw, name="class-withdraw"),
    path("c/<int:session_id>/<str:token>/", views.checkin_link, name="checkin"),
    path("sessions/<int:session_id>/rate/", views.session_rate, name="session-rate"),
    path("documents/<int:document_id>/", views.document_download, name="document"),
    path("programmes/<int:programme_id>/", views.programme_detail, name="programme-detail"),
    path("certificates/<str:code>/pdf", views.certificate_pdf, name="certificate-pdf"),
    path("certificates/<str:code>/verify/", views.certificate_verify, name="certificate-verify"),
    path("teaching/", views.teaching, name="teaching"),
    path("teaching/sessions/<int:session_id>/answer/", views.booking_answer, name="booking-answer"),
    path("manage/", console_views.manage_list, name="manage-list"),
    path("manage/new/", console_views.class_edit, name="class-create"),
    path("manage/<int:class_id>/", console_views.class_manage, name="class-manage"),
    path("manage/<int:class_id>/edit/", console_views.class_edit, name="class-edit"),
    path("manage/<int:class_id>/cancel/", console_views.class_cancel, name="class-cancel"),
    path("manage/<int:class_id>/documents/", console_views.document_add, name="document-add"),
    path("manage/<int:class_id>/sessions/new/", console_views.session_edit, name="session-create"),
    path("manage/<int:class_id>/enrol/", console_views.enrolment_add, name="enrolment-add"),
    path("manage/<int:class_id>/enrol-audience/", console_views.enrolment_audience, name="enrolment-audience"),
    path("manage/<int:class_id>/report/", console_views.class_report, name="class-report"),
    path("manage/<int:class_id>/attendance.xlsx", console_views.attendance_export, name="attendance-export"),
    path("manage/enrolments/<int:enrolment_id>/", console_views.enrolment_action, name="enrolment-action"),
    path("manage/sessions/<int:session_id>/edit/", console_views.session_edit, name="session-edit"),
    path("manage/sessions/<int:session_id>/screen/", console_views.session_screen, name="session-screen"),
    path(
        "manage/sessions/<int:session_id>/screen/live/", console_views.session_screen_live, name="session-screen-live"
    ),
    path("manage/sessions/<int:session_id>/roll-call/", console_views.roll_call, name="roll-call"),
    path("manage/sessions/<int:session_id>/signin.pdf", console_views.signin_pdf, name="signin-pdf"),
    path("manage/sessions/<int:session_id>/signin.xlsx", console_views.signin_xlsx, name="signin-xlsx"),
    path("manage/instructors/", console_views.instructor_list, name="instructor-list"),
    path("manage/instructors/new/", console_views.instructor_edit, name="instructor-create"),
    path("manage/instructors/<int:instructor_id>/", console_views.instructor_detail, name="instructor-detail"),
    path("manage/instructors/<int:instructor_id>/photo", console_views.instructor_photo, name="instructor-photo"),
    path("manage/instructors/<int:instructor_id>/edit/", console_views.instructor_edit, name="instructor-edit"),
    path("manage/instructors/<int:instructor_id>/phone/", console_views.instructor_phone, name="instructor-phone"),
    path(
        "manage/instructors/<int:instructor_id>/record.xlsx", console_views.instructor_record, name="instructor-record"
    ),
    path("manage/programmes/", console_views.programme_manage_list, name="programme-manage-list"),
    path("manage/programmes/new/", console_views.programme_create, name="programme-create"),
    path("manage/programmes/<int:programme_id>/", console_views.programme_manage, name="programme-manage"),
    path("manage/parts/<int:part_id>/remove/", console_views.part_remove, name="part-remove"),
    path("manage/parts/<int:part_id>/move/", console_views.part_move, name="part-move"),
]
