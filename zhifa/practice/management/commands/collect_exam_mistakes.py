"""Periodic: wrong answers of released exam results go into officers' mistakes books."""

from django.core.management.base import BaseCommand

from zhifa.practice.services import mistakes_collect_from_exams


class Command(BaseCommand):
    help = "把已公布成绩的考试中答错的客观题收入错题本（每份答卷只收集一次）。"

    def handle(self, *args, **options):
        added = mistakes_collect_from_exams()
        self.stdout.write(f"已收入错题本：{added} 题。")
