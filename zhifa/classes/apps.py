from django.apps import AppConfig


class ClassesConfig(AppConfig):
    name = "zhifa.classes"
    label = "classes"
