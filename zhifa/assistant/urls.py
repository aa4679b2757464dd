from django.urls import path

from zhifa.assistant import views

app_name = "assistant"
urlpatterns = [
    path("", views.home, name="home"),
    path("ask/", views.ask, name="ask"),
    path("history/", views.history, name="history"),
    path("topics/", views.topics, name="topics"),
    path("drafts/", views.drafts, name="drafts"),
    path("<int:inquiry_id>/", views.inquiry_detail, name="inquiry-detail"),
    path("<int:inquiry_id>/answer/", views.inquiry_answer, name="inquiry-answer"),
    path("<int:inquiry_id>/feedback/", views.inquiry_feedback, name="inquiry-feedback"),
]
