from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "zhifa.security"
    label = "security"
    verbose_name = "安全"

    def ready(self) -> None:
        from zhifa.security import (
            checks,  # noqa: F401 - registers the deployment checks
            logmask,
        )

        logmask.install()  # no ID-card or mobile number in any log line, whoever logs it
