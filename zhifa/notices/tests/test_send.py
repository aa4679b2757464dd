"""A notice goes out once per user and event key, however often the job that sends it runs."""

from zhifa.notices import queries, services
from zhifa.notices.services import NoticeIn


def test_a_notice_is_sent_once_per_key(officer):
    assert services.notice_send(user=officer.user, key="plan-item:1:new", title="新的培训任务")
    assert not services.notice_send(user=officer.user, key="plan-item:1:new", title="新的培训任务")
    assert queries.unread_count(user=officer.user) == 1


def test_a_batch_reports_only_the_new_notices_and_read_marks_them(officer, outsider):
    first = [
        NoticeIn(user_id=officer.user.pk, key="k1", title="一"),
        NoticeIn(user_id=outsider.user.pk, key="k1", title="一"),
    ]
    assert services.notices_send(first) == 2
    assert services.notices_send([*first, NoticeIn(user_id=officer.user.pk, key="k2", title="二")]) == 1
    assert services.notices_mark_read(user=officer.user) == 2
    assert queries.unread_count(user=officer.user) == 0
    assert queries.unread_count(user=outsider.user) == 1
