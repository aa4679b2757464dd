from django.apps import AppConfig


class ExamsConfig(AppConfig):
    name = "zhifa.exams"
    label = "exams"
