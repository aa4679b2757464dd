"""Password reuse: a new password may not be the current one or one of the last PASSWORD_HISTORY_COUNT (等保).

A Django password validator, so every path that validates a password (the change page, the admin) refuses reuse,
and every path that sets one through `set_password` records it (Django calls `password_changed` on save).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError

from zhifa.common.models import PasswordHistory


def history_count() -> int:
    return int(getattr(settings, "PASSWORD_HISTORY_COUNT", 5))


class PasswordHistoryValidator:
    def validate(self, password: str, user=None) -> None:
        """ValidationError when `password` is the user's current password or one of his last ones."""
        if user is None or user.pk is None:
            return
        hashes = [user.password] if user.password else []
        hashes += PasswordHistory.objects.filter(user_id=user.pk).values_list("password", flat=True)[: history_count()]
        if any(check_password(password, encoded) for encoded in dict.fromkeys(hashes)):
            raise ValidationError(
                f"新密码不能与当前密码或最近 {history_count()} 次用过的密码相同，请换一个从未用过的密码。",
                code="password_reused",
            )

    def password_changed(self, password: str, user=None) -> None:
        """Remember the new password's hash; keep only as many as the policy looks back."""
        if user is None or user.pk is None or not user.password:
            return
        PasswordHistory.objects.create(user_id=user.pk, password=user.password)
        stale = PasswordHistory.objects.filter(user_id=user.pk).values_list("pk", flat=True)[history_count() + 1 :]
        if stale:
            PasswordHistory.objects.filter(pk__in=list(stale)).delete()

    def get_help_text(self) -> str:
        return f"不能与当前密码或最近 {history_count()} 次用过的密码相同。"
