from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "zhifa.reports"
    label = "reports"
