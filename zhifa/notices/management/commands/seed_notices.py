"""Demo notices (idempotent): a welcome notice to each demo account, so the bell shows how notices look."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from zhifa.notices.models import Notice
from zhifa.notices.services import NoticeIn, notices_send
from zhifa.people.models import User

DEMO_USERS = ["zhangming", "wangfang", "chenhong", "zhaoping", "sunshen", "admin"]


class Command(BaseCommand):
    help = "写入演示用站内通知（可重复执行，每个账号只发一次）"

    def handle(self, *args, **options):
        users = list(User.objects.filter(username__in=DEMO_USERS))
        new = notices_send(
            NoticeIn(
                user_id=user.pk,
                key="demo:welcome",
                title="欢迎使用智慧执法学院",
                body="培训任务、截止提醒、执法证年审等通知会出现在右上角的铃铛里。"
                "您可以在“通知设置”中选择是否同时通过电子邮件、短信、政务钉钉或企业微信接收。",
                url="/notices/preferences/",
                kind=Notice.Kind.SYSTEM,
            )
            for user in users
        )
        self.stdout.write(f"演示通知：{len(users)} 个账号，新发 {new} 条。")
