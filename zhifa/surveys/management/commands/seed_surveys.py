"""manage.py seed_surveys — a month of sample citizen responses for the demo city (idempotent; `make demo`).

张明 (zhangming) and one colleague in each agency of the demo city get enough responses to be shown, others too few
(hidden below 5), the unit 东城区市场监督管理局 gets responses of its own; a few comments wait for moderation and
one batch of act codes is issued. Written through the real services; the responses
are then dated back over the last 30 days. Prints the poster link of 张明 (the Makefile shows that line).
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from zhifa.people.models import Officer, Role, RoleGrant, Unit
from zhifa.surveys import conf, services
from zhifa.surveys.models import ActBatch, Response
from zhifa.surveys.queries import subject_for_token
from zhifa.surveys.tokens import token_make

COMMENTS = [
    "执法人员态度很好，讲解政策耐心细致。",
    "检查时出示了执法证，程序规范。",
    "等待时间太长，希望提高办事效率。",
    "说话有点生硬，希望服务态度再好一些。",
    "处理公正，没有为难我们小商户。",
    "有问题请打我电话13812345678回访。",
]
# Responses per officer, in turn: enough to be shown (≥ 5) or not.
COUNTS = [8, 6, 3, 5, 2, 1, 4]


class Command(BaseCommand):
    help = "为演示城市载入一个月的群众满意度评价示例（可重复运行），并输出张明的评价海报链接。"

    def handle(self, *args, **options) -> None:
        zhangming = Officer.objects.select_related("unit").filter(user__username="zhangming").first()
        if zhangming is None:
            self.stderr.write("未找到演示账号 zhangming：请先运行 seed_demo。")
            return
        if not Response.objects.filter(unit__code__startswith="JB").exists():
            self._seed(zhangming)
        counted = Response.objects.filter(unit__code__startswith="JB", status=Response.Status.COUNTED).count()
        self.stdout.write(f"示例满意度评价：江北市 {counted} 条已计入。")
        url = conf.site_url() + reverse("surveys:respond", kwargs={"token": token_make("o", zhangming.pk)})
        self.stdout.write(f"张明的评价海报链接（手机扫码即此页）：{url}")
        unit_url = reverse("surveys:respond", kwargs={"token": token_make("u", zhangming.unit.pk)})
        self.stdout.write(f"{zhangming.unit.name}的单位评价链接：{conf.site_url()}{unit_url}")

    @transaction.atomic
    def _seed(self, zhangming: Officer) -> None:
        rng = random.Random(16)
        colleagues = list(
            Officer.objects.filter(unit__code__startswith="JB", employment=Officer.Employment.ACTIVE)
            .exclude(pk=zhangming.pk)
            .select_related("unit")
            .order_by("pk")[: len(COUNTS) - 1]
        )
        made: list[Response] = []
        ip = iter(range(1, 100_000))
        for officer, count in zip([zhangming, *colleagues], COUNTS, strict=False):
            subject = subject_for_token(token_make("o", officer.pk))
            for _ in range(count):
                made.append(self._answer(rng, subject, next(ip), comment=rng.random() < 0.3))
        unit_subject = subject_for_token(token_make("u", zhangming.unit.pk))
        for _ in range(5):
            made.append(self._answer(rng, unit_subject, next(ip), comment=rng.random() < 0.3))
        now = timezone.now()
        for response in made:  # spread over the last month
            Response.objects.filter(pk=response.pk).update(created_at=now - timedelta(hours=rng.randint(1, 30 * 24)))
        approver = (
            RoleGrant.objects.filter(role=Role.UNIT_ADMIN, unit__isnull=False).select_related("user", "unit").first()
        )
        if approver is not None and approver.unit is not None:
            pending = Response.objects.filter(
                comment_status=Response.CommentStatus.PENDING, unit__path__startswith=approver.unit.path
            )
            for response in pending[:3]:
                services.comment_moderate(response=response, by=approver.user, approve=True)
            market = Unit.objects.filter(code="JB-C-SCJG").first()
            if market is not None and not ActBatch.objects.filter(unit=market).exists():
                rows = [
                    services.ActRow(f"江北市监罚〔2026〕{n}号", timezone.localdate(), zhangming)
                    for n in (101, 102, 103)
                ]
                services.act_batch_create(unit=market, by=approver.user, rows=rows, filename="示例执法行为.xlsx")

    def _answer(self, rng: random.Random, subject, n: int, *, comment: bool) -> Response:
        base = rng.choice([5, 5, 5, 4, 4, 4, 3, 2])
        ratings = {name: max(1, min(5, base + rng.choice([0, 0, 0, 1, -1]))) for name in
                   ("civility", "integrity", "efficiency", "attitude")}  # fmt: skip
        text = rng.choice(COMMENTS) if comment else ""
        return services.response_submit(
            subject=subject,
            answers=services.Answers(ratings=ratings, comment=text),
            ip=f"10.16.{n // 250}.{n % 250}",
            user_agent="示例数据",
        )
