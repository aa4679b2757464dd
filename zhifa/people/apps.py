from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "zhifa.people"
    label = "people"
