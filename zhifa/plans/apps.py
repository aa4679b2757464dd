from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "zhifa.plans"
    label = "plans"
