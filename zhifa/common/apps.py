from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "zhifa.common"
    label = "common"

    def ready(self) -> None:
        from zhifa.common import login_audit  # noqa: F401 - audits log-ins, failures, lockouts and log-outs
        from zhifa.common.lookups import register

        register()  # field__in_array: a province-sized id list as one array parameter on PostgreSQL
