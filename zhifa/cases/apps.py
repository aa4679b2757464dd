from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "zhifa.cases"
    label = "cases"
