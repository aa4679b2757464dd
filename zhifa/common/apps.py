from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "zhifa.common"
    label = "common"

    def ready(self) -> None:
        from zhifa.common import login_audit  # noqa: F401 - audits log-ins, failures, lockouts and log-outs
