"""The admin console's people pages (units, officers, import, audit log), under /people/."""

from django.urls import path

from zhifa.people import console_views

app_name = "console"
urlpatterns = [
    path("", console_views.console_home, name="home"),
]
