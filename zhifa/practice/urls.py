from django.urls import path

from zhifa.practice import views

app_name = "practice"
urlpatterns = [
    path("", views.practice_home, name="home"),
    path("play/", views.practice_player, name="player"),
    path("scope/", views.practice_scope, name="scope"),
    path("mistakes/", views.mistakes_book, name="mistakes"),
    path("mastery/", views.mastery_map, name="mastery"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("manage/heatmap/", views.heatmap, name="heatmap"),
    path("manage/generated/", views.generated_queue, name="generated-queue"),
    path("manage/generated/<int:question_id>/review/", views.generated_review, name="generated-review"),
]
