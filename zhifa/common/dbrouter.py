"""Reads of reports and dashboards from a PostgreSQL streaming replica; every write, always, to the primary.

Why: the province's dashboards and reports scan millions of rows; on the replica they never compete with exam
autosaves on the primary. A replica lags (milliseconds, seconds under load): a report may show a figure a moment
old, which is acceptable for a dashboard and never for a write or a read that decides one. So the rule is narrow:

- `ReplicaReadsMiddleware` turns replica reads on for a GET or HEAD request whose path starts with one of
  `REPLICA_READ_PATHS` (default /reports/ and /evaluation/); `replica_reads()` does the same for a command.
- `ReplicaRouter.db_for_read` then answers "replica", except for the models a request itself depends on
  (sessions, accounts, second-factor devices, lockouts): a user who has just logged in must not look logged out
  because the replica has not replayed the login yet.
- `db_for_write` is always "default": a write never goes to the replica (which would refuse it anyway).
- Inside a transaction on the primary (`atomic()`), reads stay on the primary (Django's router is asked first,
  so the router itself checks: a read in a transaction that has written must see that write).

Off unless `ZHIFA_DB_REPLICA_URL` is set (docs/configuration.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import connections

REPLICA = "replica"
# Models whose rows decide who the request is: always read from the primary.
PRIMARY_ONLY_APPS = {"sessions", "auth", "axes", "otp_totp", "otp_static", "django_otp", "contenttypes"}
PRIMARY_ONLY_MODELS = {"people.user", "people.rolegrant"}

_replica_reads: ContextVar[bool] = ContextVar("zhifa_replica_reads", default=False)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Read from the replica inside the block (when one is configured); writes still go to the primary."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


class ReplicaRouter:
    def db_for_read(self, model, **hints) -> str | None:
        if not _replica_reads.get() or not replica_configured():
            return None
        if model._meta.app_label in PRIMARY_ONLY_APPS or model._meta.label_lower in PRIMARY_ONLY_MODELS:
            return "default"
        if connections["default"].in_atomic_block:
            return "default"
        return REPLICA

    def db_for_write(self, model, **hints) -> str:
        return "default"

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # the replica is a copy of the primary: objects from either may relate

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints) -> bool:
        return db != REPLICA  # the replica receives the schema by streaming replication


class ReplicaReadsMiddleware:
    """Replica reads for GET/HEAD requests under REPLICA_READ_PATHS; added to MIDDLEWARE only with a replica."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefixes = tuple(getattr(settings, "REPLICA_READ_PATHS", ()))

    def __call__(self, request):
        if request.method in {"GET", "HEAD"} and request.path.startswith(self.prefixes):
            with replica_reads():
                response = self.get_response(request)
            response["X-Zhifa-Read-From"] = REPLICA
            return response
        return self.get_response(request)
