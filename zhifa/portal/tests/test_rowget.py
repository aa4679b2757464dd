"""row_get gives the same instance the ORM would, and the session/user look-ups built on it behave as Django's."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zhifa.common.rowget import row_get
from zhifa.people.models import User

pytestmark = pytest.mark.django_db


def _fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields}


def test_row_get_equals_the_orm_including_converted_columns(officer):
    user = officer.user
    user.last_login = timezone.now()
    user.save()
    loaded = row_get(User, pk=str(user.pk))  # the session stores the id as text

    assert _fields(loaded) == _fields(User.objects.get(pk=user.pk))
    assert isinstance(loaded.is_active, bool) and loaded._state.adding is False and loaded._state.db == "default"


def test_row_get_missing_row_and_comparison_lookup(officer):
    assert row_get(User, pk=10**9) is None
    session = Session.objects.create(
        session_key="k" * 32, session_data="x", expire_date=timezone.now() + timedelta(minutes=5)
    )
    assert row_get(Session, session_key=session.pk, expire_date__gt=timezone.now()) == session
    assert row_get(Session, session_key=session.pk, expire_date__gt=timezone.now() + timedelta(hours=1)) is None


def test_an_authenticated_request_loads_session_and_user_in_one_query_each(client, officer):
    client.force_login(officer.user)
    client.get("/healthz")  # the first request may write last_seen
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/healthz").status_code == 200
    statements = [q["sql"] for q in queries.captured_queries]
    assert sum("django_session" in s for s in statements) == 1
    assert sum("people_user" in s for s in statements) == 1


def test_an_expired_session_is_anonymous(client, officer):
    client.force_login(officer.user)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/login" in response["Location"]


def test_the_database_session_engine_loads_a_live_session_and_forgets_an_expired_one(db):
    from zhifa.common.sessions_db import SessionStore

    store = SessionStore()
    store["last_seen"] = 1
    store.create()
    assert SessionStore(store.session_key).load() == {"last_seen": 1}
    Session.objects.filter(pk=store.session_key).update(expire_date=timezone.now() - timedelta(seconds=1))
    expired = SessionStore(store.session_key)
    assert expired.load() == {} and expired.session_key is None  # a new key is made, as Django's own store does
