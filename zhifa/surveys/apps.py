from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "zhifa.surveys"
    label = "surveys"
