from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "zhifa.courses"
    label = "courses"
