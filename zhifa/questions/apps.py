from django.apps import AppConfig


class QuestionsConfig(AppConfig):
    name = "zhifa.questions"
    label = "questions"
