from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "zhifa.certificates"
    label = "certificates"
