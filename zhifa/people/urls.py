from django.contrib.auth import views as auth_views
from django.urls import path

from zhifa.people import views

app_name = "people"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.password_change, name="password-change"),
]
