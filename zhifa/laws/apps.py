from django.apps import AppConfig


class LawsConfig(AppConfig):
    name = "zhifa.laws"
    label = "laws"
