"""Rate-limit rules, "METHOD PATH-PREFIX LIMIT/SECONDS", parsed when the settings load (a bad rule stops the start).

Pure: no Django beyond its exception, so config/settings.py can import it. Counting is in common/ops.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True, slots=True)
class RateRule:
    method: str
    prefix: str
    limit: int
    seconds: int

    @property
    def name(self) -> str:
        return f"{self.method} {self.prefix}"


def parse_rate_rules(raw: list[str]) -> list[RateRule]:
    """Parse the rules; ImproperlyConfigured names a bad one and shows the expected form."""
    rules = []
    for text in raw:
        try:
            method, prefix, quota = text.split()
            limit, seconds = (int(x) for x in quota.split("/"))
            if limit < 1 or seconds < 1 or not prefix.startswith("/"):
                raise ValueError
        except ValueError:
            raise ImproperlyConfigured(
                f"ZHIFA_RATE_LIMITS 中的规则 {text!r} 无法识别，"
                "应写成“方法 路径前缀 次数/秒数”，例如 POST /accounts/login/ 30/60。"
            ) from None
        rules.append(RateRule(method.upper(), prefix, limit, seconds))
    return rules
