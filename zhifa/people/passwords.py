"""The configurable password policy: minimum length and number of character classes (settings)."""

from __future__ import annotations

import string

from django.conf import settings
from django.core.exceptions import ValidationError


def character_classes(password: str) -> int:
    """How many of the four classes (lower, upper, digit, other) the password uses."""
    classes = [
        any(c in string.ascii_lowercase for c in password),
        any(c in string.ascii_uppercase for c in password),
        any(c in string.digits for c in password),
        # symbols, and anything outside ASCII letters and digits (a Chinese character counts here)
        any(c not in string.ascii_letters + string.digits for c in password),
    ]
    return sum(classes)


class ComplexityValidator:
    def validate(self, password: str, user=None) -> None:
        problems = []
        if len(password) < settings.PASSWORD_MIN_LENGTH:
            problems.append(f"密码至少 {settings.PASSWORD_MIN_LENGTH} 位")
        if character_classes(password) < settings.PASSWORD_MIN_CLASSES:
            problems.append(f"需包含小写字母、大写字母、数字、符号中的至少 {settings.PASSWORD_MIN_CLASSES} 类")
        if problems:
            raise ValidationError("；".join(problems) + "。", code="password_policy")

    def get_help_text(self) -> str:
        return (
            f"至少 {settings.PASSWORD_MIN_LENGTH} 位，包含小写字母、大写字母、数字、符号中的至少 "
            f"{settings.PASSWORD_MIN_CLASSES} 类；每 {settings.PASSWORD_MAX_AGE_DAYS} 天需更换。"
        )
