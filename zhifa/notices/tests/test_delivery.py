"""Outside channels: a new notice reaches each enabled channel of its user exactly once, however often delivery
runs; the user chooses his channels; a channel that fails or cannot reach him says why."""

import logging

import pytest
from django.core import mail

from zhifa.notices import services
from zhifa.notices.models import Notice, NoticeDelivery
from zhifa.notices.senders import EmailSender, SendError
from zhifa.notices.services import NoticeIn
from zhifa.people import services as people_services
from zhifa.people.models import Officer


@pytest.fixture
def reachable(officer):
    officer.user.email = "zhangming@example.gov.cn"
    officer.user.save()
    Officer.objects.filter(pk=officer.pk).update(
        **people_services.personal_data_fields(id_card=None, phone="13800138000")
    )
    return officer


def test_a_new_notice_is_mailed_once_when_delivery_runs_twice(reachable, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.notice_send(user=reachable.user, key="plans:item:1:new", title="新的培训任务", url="/plans/")
    services.notices_deliver([(reachable.user.pk, "plans:item:1:new")])  # a second run, e.g. a retried task
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "【智慧执法学院】新的培训任务" and message.to == ["zhangming@example.gov.cn"]
    assert "http://127.0.0.1:8000/plans/" in message.body or "/plans/" in message.body
    delivery = NoticeDelivery.objects.get()
    assert delivery.status == NoticeDelivery.Status.SENT and delivery.address == "z***@example.gov.cn"


def test_sending_the_same_key_again_delivers_nothing_new(reachable, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.notice_send(user=reachable.user, key="k", title="一")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.notice_send(user=reachable.user, key="k", title="一")
    assert callbacks == [] and len(mail.outbox) == 1


def test_the_user_chooses_his_channels_and_sms_is_logged_with_the_masked_phone(reachable, caplog):
    services.channel_preferences_set(user=reachable.user, enabled=["sms", "wecom"])
    Notice.objects.create(user=reachable.user, key="k", title="执法证年审提醒")
    with caplog.at_level(logging.INFO, logger="zhifa.notices"):
        counts = services.notices_deliver([(reachable.user.pk, "k")])
    assert counts == {"sent": 2} and mail.outbox == []
    sms = NoticeDelivery.objects.get(channel="sms")
    assert sms.address == "138****8000"
    assert "13800138000" not in caplog.text and "执法证年审提醒" in caplog.text


def test_a_user_without_an_address_is_skipped_with_the_reason(officer):
    services.channel_preferences_set(user=officer.user, enabled=["email", "sms"])
    Notice.objects.create(user=officer.user, key="k", title="t")
    assert services.notices_deliver([(officer.user.pk, "k")]) == {"skipped": 2}
    assert set(NoticeDelivery.objects.values_list("error", flat=True)) == {
        "账号未登记电子邮件的接收地址",
        "账号未登记短信的接收地址",
    }


def test_without_a_choice_only_users_with_an_email_get_mail(officer, reachable, outsider):
    for user in (reachable.user, outsider.user):
        Notice.objects.create(user=user, key="k", title="t")
    services.notices_deliver([(reachable.user.pk, "k"), (outsider.user.pk, "k")])
    assert list(NoticeDelivery.objects.values_list("notice__user", "channel")) == [(reachable.user.pk, "email")]


def test_a_failing_channel_is_recorded_and_not_retried_by_a_second_run(reachable, monkeypatch):
    def refuse(self, **kwargs):
        raise SendError("邮件发送失败：连接被拒绝")

    monkeypatch.setattr(EmailSender, "send", refuse)
    Notice.objects.create(user=reachable.user, key="k", title="t")
    assert services.notices_deliver([(reachable.user.pk, "k")]) == {"failed": 1}
    assert services.notices_deliver([(reachable.user.pk, "k")]) == {}
    assert NoticeDelivery.objects.get().error == "邮件发送失败：连接被拒绝"


def test_an_unknown_channel_is_refused(officer):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="没有这种通知渠道"):
        services.channel_preferences_set(user=officer.user, enabled=["fax"])


def test_a_large_batch_is_queued_in_chunks(officer, outsider, monkeypatch, django_capture_on_commit_callbacks):
    from zhifa.notices import tasks

    queued = []
    monkeypatch.setattr(services, "DELIVERY_CHUNK", 3)

    class Recorder:
        def enqueue(self, pairs):
            queued.append(pairs)

    monkeypatch.setattr(tasks, "notices_deliver_task", Recorder())
    batch = [NoticeIn(user_id=u.user.pk, key=f"k{n}", title="t") for n in range(4) for u in (officer, outsider)]
    with django_capture_on_commit_callbacks(execute=True):
        assert services.notices_send(batch) == 8
    assert [len(chunk) for chunk in queued] == [3, 3, 2]


def test_the_catch_up_command_delivers_what_a_lost_task_left_and_nothing_twice(reachable):
    from io import StringIO

    from django.core.management import call_command

    Notice.objects.create(user=reachable.user, key="k", title="t")  # as if the delivery task was lost
    out = StringIO()
    call_command("notices_deliver", stdout=out)
    assert "已发送 1" in out.getvalue() and len(mail.outbox) == 1
    call_command("notices_deliver", stdout=out)
    assert "没有待发送的投递" in out.getvalue() and len(mail.outbox) == 1
