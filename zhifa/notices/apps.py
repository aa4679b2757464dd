from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "zhifa.notices"
    label = "notices"
