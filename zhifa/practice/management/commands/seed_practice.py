"""Demo: a month of daily practice for the demo's officers, so the mastery map and the unit heatmap have data.

Each officer answers the published practice-only questions that name a knowledge point (the sample bank's
`zhifa-practice-*`), through the real review service (cards, logs, daily activity), over the last 30 days. Whether
an answer is right follows a fixed pattern per officer and knowledge point, so some points are weak in some units and
not in others. Idempotent: an officer who already has practice cards is left alone.
"""

import zlib
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from zhifa.people.models import Officer
from zhifa.practice import services
from zhifa.practice.models import ReviewCard
from zhifa.questions.models import Question


def _right(officer_id: int, point_ids: list[int], turn: int) -> bool:
    """About a third of the officer × point pairs are weak (mostly wrong), the rest mostly right."""
    weak = zlib.crc32(f"{officer_id}:{min(point_ids, default=0)}".encode()) % 3 == 0
    return (turn % 4 == 0) if weak else (turn % 5 != 0)


class Command(BaseCommand):
    help = "演示数据：为示例执法人员生成近一个月的每日一练记录（供掌握度地图和单位热力图使用）。"

    def handle(self, *args, **options):
        questions = list(
            Question.objects.filter(
                status=Question.Status.PUBLISHED, is_latest=True, use=Question.Use.PRACTICE,
                external_id__startswith="zhifa-practice-",
            )
            .prefetch_related("knowledge_points")
            .order_by("external_id")
        )  # fmt: skip
        if not questions:
            self.stdout.write("没有示例练习题（先运行 seed_questions），跳过每日一练示例。")
            return
        now = timezone.now()
        officers = Officer.objects.filter(user__isnull=False, employment__in=["active", "seconded"])
        seeded = reviews = 0
        for officer in officers.exclude(pk__in=ReviewCard.objects.values("officer_id")).order_by("pk"):
            for turn, days_ago in enumerate((28, 14, 3)):  # three rounds over the month
                for question in questions:
                    points = [kp.pk for kp in question.knowledge_points.all()]
                    right = _right(officer.pk, points, turn + question.pk)
                    services.review_record(
                        officer=officer,
                        question=question,
                        response=question.answer if right else [not question.answer[0]],
                        response_ms=12_000,
                        client_id=f"demo-{officer.pk}-{question.pk}-{turn}",
                        reviewed_at=now - timedelta(days=days_ago, hours=officer.pk % 7),
                        now=now,
                    )
                    reviews += 1
            seeded += 1
        self.stdout.write(f"每日一练示例：{seeded} 名人员，{reviews} 次练习。")
