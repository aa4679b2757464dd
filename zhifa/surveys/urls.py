"""/surveys/: the public survey page (r/<token>/, s/ short codes), the officer's results and the console."""

from django.urls import path

from zhifa.surveys import console_views, views

app_name = "surveys"

urlpatterns = [
    path("r/<str:token>/", views.respond, name="respond"),
    path("thanks/", views.thanks, name="thanks"),
    path("s/", views.short_code, name="short"),
    path("s/<str:code>/", views.short_code, name="short-code"),
    path("mine/", views.my_results, name="my-results"),
    path("manage/", console_views.results, name="results"),
    path("manage/export.xlsx", console_views.results_export, name="results-export"),
    path("manage/posters/", console_views.posters, name="posters"),
    path("manage/officers/<int:officer_id>/poster.pdf", console_views.officer_poster, name="officer-poster"),
    path("manage/units/<int:unit_id>/poster.pdf", console_views.unit_poster, name="unit-poster"),
    path("manage/acts/template.xlsx", console_views.act_template, name="act-template"),
    path("manage/acts/upload/", console_views.act_upload, name="act-upload"),
    path("manage/acts/<int:batch_id>/sheet.pdf", console_views.act_sheet, name="act-sheet"),
    path("manage/acts/<int:batch_id>/codes.xlsx", console_views.act_export, name="act-export"),
    path("manage/moderation/", console_views.moderation, name="moderation"),
    path("manage/responses/<int:response_id>/comment/", console_views.comment_moderate, name="comment-moderate"),
    path("manage/responses/<int:response_id>/held/", console_views.held_review, name="held-review"),
    path("manage/responses/<int:response_id>/contact/", console_views.contact_reveal, name="contact-reveal"),
    path("manage/flags/<int:flag_id>/resolve/", console_views.flag_resolve, name="flag-resolve"),
]
