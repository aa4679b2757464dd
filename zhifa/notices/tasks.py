"""Background work: delivering new notices to their users' outside channels (e-mail, SMS, 政务钉钉, 企业微信)."""

from __future__ import annotations

from django.tasks import task

from zhifa.notices import services


@task()
def notices_deliver_task(pairs: list[list]) -> dict:
    """Deliver the notices named by [user_id, key] pairs; queued by notices_send once the notices are committed.
    Safe to run twice or on two workers at once: each notice reaches each channel at most once."""
    return services.notices_deliver([(int(user_id), str(key)) for user_id, key in pairs])
