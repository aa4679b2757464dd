from django.apps import AppConfig


class PracticeConfig(AppConfig):
    name = "zhifa.practice"
    label = "practice"
