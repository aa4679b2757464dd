"""Seed the demo course (执法人员职业道德五讲) with its micro-lessons and a generated video. Idempotent."""

from __future__ import annotations

import shutil
import tempfile
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from zhifa.courses import sample_content, services, uploads, video
from zhifa.courses.models import Chapter, Checkpoint, Course, Lesson, VideoAsset


class Command(BaseCommand):
    help = "创建示例课程“执法人员职业道德五讲”（可重复执行）。"

    def handle(self, *args, **options) -> None:
        self.uncited: set[str] = set()
        course = self._course()
        lessons = self._lessons(course)
        self._video_lesson(course)
        if Lesson.objects.filter(chapter__course=course).exclude(video__status="processing").exists():
            course.status, course.published_at = Course.Status.PUBLISHED, course.published_at or timezone.now()
            course.save(update_fields=["status", "published_at"])
        self.stdout.write(f"示例课程《{course.title}》：{lessons} 节微课，已发布。")

    def _course(self) -> Course:
        data = sample_content.COURSE
        course, _ = Course.objects.update_or_create(
            code=data["code"],
            defaults={
                "title": data["title"],
                "summary": data["summary"],
                "requirement": data["requirement"],
            },
        )
        return course

    @transaction.atomic
    def _lessons(self, course: Course) -> int:
        chapter, _ = Chapter.objects.get_or_create(
            course=course, title=sample_content.CHAPTER_LESSONS, defaults={"position": 1}
        )
        for position, item in enumerate(sample_content.LESSONS, start=1):
            lesson, _ = Lesson.objects.update_or_create(
                chapter=chapter,
                title=item["title"],
                defaults={
                    "kind": Lesson.Kind.ARTICLE,
                    "position": position,
                    "summary": item["summary"],
                    "body_html": services.sanitise_html(item["body"]),
                    "credit_hours": Decimal("0.2"),
                    "hours_category": "ethics",
                    "is_micro": True,
                    "minutes": 5,
                    "min_seconds": 90,
                },
            )
            self._cite(lesson, item["article_keys"])
        if self.uncited:
            self.stdout.write(
                f"法规库中暂无 {'、'.join(sorted(self.uncited))}：相关课时暂不关联法条（导入法规后重新执行即可）。"
            )
        return len(sample_content.LESSONS)

    def _cite(self, lesson: Lesson, keys: list[str]) -> None:
        from zhifa.laws import services as laws_services

        try:
            laws_services.citation_set(obj=lesson, article_keys=keys)
        except laws_services.UnknownArticle:  # the law library may not hold these laws: the lesson stands alone
            self.uncited.update(key.partition("#")[0] for key in keys)

    def _video_lesson(self, course: Course) -> None:
        chapter, _ = Chapter.objects.get_or_create(
            course=course, title=sample_content.CHAPTER_VIDEO, defaults={"position": 0}
        )
        data = sample_content.VIDEO_LESSON
        lesson = Lesson.objects.filter(chapter=chapter, title=data["title"]).select_related("video").first()
        if lesson and lesson.video and lesson.video.status == VideoAsset.Status.READY:
            return
        if not video.ffmpeg_available():
            self.stdout.write(
                "未安装 ffmpeg/ffprobe：示例课程不含视频课时（apt-get install ffmpeg 后重新执行即可补上）。"
            )
            return
        asset = self._generate_video()
        lesson, _ = Lesson.objects.update_or_create(
            chapter=chapter,
            title=data["title"],
            defaults={
                "kind": Lesson.Kind.VIDEO,
                "position": 1,
                "summary": data["summary"],
                "video": asset,
                "credit_hours": Decimal("0.1"),
                "hours_category": "ethics",
                "is_micro": True,
                "minutes": 1,
            },
        )
        Checkpoint.objects.update_or_create(
            lesson=lesson,
            at_seconds=data["checkpoint"]["at_seconds"],
            defaults={k: v for k, v in data["checkpoint"].items() if k != "at_seconds"},
        )

    def _generate_video(self) -> VideoAsset:
        with tempfile.TemporaryDirectory() as tmp:
            source = Path(tmp) / "intro.mp4"
            video.sample_generate(source, seconds=8)
            probe = video.probe(source)
            name = f"{uploads.ORIGINALS}/sample-intro.mp4"
            target = Path(settings.MEDIA_ROOT) / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        asset = VideoAsset.objects.create(
            original=name,
            original_name="课程导学.mp4",
            size=target.stat().st_size,
            duration=probe.duration,
            width=probe.width,
            height=probe.height,
        )
        uploads.video_process_now(asset.pk)
        asset.refresh_from_db()
        return asset
