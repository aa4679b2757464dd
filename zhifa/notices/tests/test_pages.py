"""The bell and its pages: an officer sees how many notices are unread, opens one (read, and on to its page),
marks the rest read, and chooses his channels; nobody opens another user's notice."""

from zhifa.notices import services
from zhifa.notices.models import ChannelPreference, Notice


def test_the_bell_counts_unread_notices_on_learner_and_console_pages(client, officer, unit_admin):
    services.notice_send(user=officer.user, key="a", title="新的培训任务")
    services.notice_send(user=officer.user, key="b", title="截止提醒", kind=Notice.Kind.DEADLINE)
    client.force_login(officer.user)
    page = client.get("/notices/").content.decode()
    assert 'aria-label="通知，2 条未读"' in page and '<span class="bell-count">2</span>' in page
    client.force_login(unit_admin)
    services.notice_send(user=unit_admin, key="c", title="内容复核")
    page = client.get("/people/").content.decode()
    assert '<span class="bell-count">1</span>' in page


def test_opening_a_notice_marks_it_read_and_goes_to_its_page(client, officer):
    services.notice_send(user=officer.user, key="a", title="新的培训任务", url="/courses/")
    notice = Notice.objects.get()
    client.force_login(officer.user)
    response = client.get(f"/notices/{notice.pk}/")
    assert response.status_code == 302 and response["Location"] == "/courses/"
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert "bell-count" not in client.get("/notices/").content.decode()


def test_a_notice_pointing_off_site_goes_back_to_the_list(client, officer):
    services.notice_send(user=officer.user, key="a", title="t", url="https://evil.example.com/")
    client.force_login(officer.user)
    response = client.get(f"/notices/{Notice.objects.get().pk}/")
    assert response["Location"] == "/notices/"


def test_another_users_notice_is_not_found(client, officer, outsider):
    services.notice_send(user=officer.user, key="a", title="t")
    notice = Notice.objects.get()
    client.force_login(outsider.user)
    assert client.get(f"/notices/{notice.pk}/").status_code == 404
    assert client.post(f"/notices/{notice.pk}/read/").status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_mark_one_and_mark_all_read(client, officer):
    for key in ("a", "b", "c"):
        services.notice_send(user=officer.user, key=key, title=key)
    first = Notice.objects.get(key="a")
    client.force_login(officer.user)
    client.post(f"/notices/{first.pk}/read/")
    assert Notice.objects.filter(read_at__isnull=True).count() == 2
    assert "只看未读" in client.get("/notices/").content.decode()
    assert client.get("/notices/?unread=1").content.decode().count('class="card notice-item unread"') == 2
    response = client.post("/notices/read-all/", follow=True)
    assert "已将 2 条通知标为已读" in response.content.decode()
    assert not Notice.objects.filter(read_at__isnull=True).exists()


def test_the_officer_chooses_his_channels(client, officer):
    client.force_login(officer.user)
    page = client.get("/notices/preferences/").content.decode()
    assert "站内通知（右上角铃铛）始终开启" in page and "政务钉钉" in page and "企业微信" in page
    response = client.post("/notices/preferences/", {"channels": ["sms", "dingtalk"]}, follow=True)
    assert "通知设置已保存" in response.content.decode()
    chosen = dict(ChannelPreference.objects.filter(user=officer.user).values_list("channel", "enabled"))
    assert chosen == {"email": False, "sms": True, "dingtalk": True, "wecom": False}
    response = client.post("/notices/preferences/", {"channels": ["fax"]})
    assert "没有这种通知渠道：fax" in response.content.decode()


def test_the_bell_costs_one_query(client, officer, django_assert_num_queries):
    from zhifa.notices.queries import unread_count

    services.notice_send(user=officer.user, key="a", title="t")
    with django_assert_num_queries(1):
        assert unread_count(user=officer.user) == 1


def test_the_demo_seed_welcomes_each_demo_account_once(officer, unit_admin):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("seed_notices", stdout=out)
    call_command("seed_notices", stdout=out)
    assert "新发 2 条" in out.getvalue() and "新发 0 条" in out.getvalue()
    assert Notice.objects.filter(key="demo:welcome").count() == 2
