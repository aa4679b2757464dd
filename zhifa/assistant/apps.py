from django.apps import AppConfig


class AssistantConfig(AppConfig):
    name = "zhifa.assistant"
    label = "assistant"
