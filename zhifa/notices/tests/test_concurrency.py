"""Two workers sending the same reminders at the same moment: each notice exists once, is mailed once (PostgreSQL)."""

import threading

import pytest
from django.core import mail
from django.db import connection, connections

from zhifa.notices import services
from zhifa.notices.models import Notice, NoticeDelivery
from zhifa.notices.services import NoticeIn
from zhifa.people.testing import build_org, make_officer


@pytest.mark.django_db(transaction=True)
def test_two_threads_sending_the_same_keys_create_and_deliver_each_notice_once():
    if connection.vendor != "postgresql":
        pytest.skip("真正的并发写入需要 PostgreSQL（SQLite 一次只允许一个写入者）")
    org = build_org()
    officers = [make_officer(org.east_market, name=f"执法人员{n}") for n in range(20)]
    for officer in officers:
        officer.user.email = f"o{officer.pk}@example.gov.cn"
        officer.user.save()
    batch = [
        NoticeIn(user_id=o.user.pk, key=f"plans:item:7:due-{d}", title="截止提醒") for o in officers for d in (7, 1)
    ]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker():
        try:
            barrier.wait()
            services.notices_send(batch)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Notice.objects.count() == 40
    assert NoticeDelivery.objects.filter(status=NoticeDelivery.Status.SENT).count() == 40
    assert len(mail.outbox) == 40
    assert len({(m.to[0], m.subject) for m in mail.outbox}) == 20  # 20 people × 1 subject; 2 keys each
