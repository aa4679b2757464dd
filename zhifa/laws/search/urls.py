from django.urls import path

from zhifa.laws.search import views

app_name = "laws_search"

urlpatterns = [
    path("", views.search_page, name="search"),
]
