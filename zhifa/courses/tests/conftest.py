"""Courses test set-up: a temporary MEDIA_ROOT, a published course with video/article/document lessons, videos."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from zhifa.courses import video
from zhifa.courses.models import Chapter, Course, Lesson, VideoAsset
from zhifa.people.models import Audience

needs_ffmpeg = pytest.mark.skipif(
    not video.ffmpeg_available(), reason="ffmpeg/ffprobe 未安装（apt-get install ffmpeg）：跳过"
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    Path(settings.MEDIA_ROOT).mkdir(parents=True, exist_ok=True)


def make_course(
    *,
    title: str = "执法人员职业道德",
    requirement: str = Course.Requirement.REQUIRED,
    owner=None,
    instructors=(),
    audience_domains=(),
    audience_units=(),
    status=Course.Status.PUBLISHED,
) -> Course:
    course = Course.objects.create(
        code=f"c{Course.objects.count() + 1}",
        title=title,
        requirement=requirement,
        status=status,
        published_at=timezone.now() if status == Course.Status.PUBLISHED else None,
        owner_unit=owner,
    )
    course.instructors.set(instructors)
    if audience_domains or audience_units:
        course.audience = Audience.objects.create()
        course.audience.domains.set(audience_domains)
        course.audience.units.set(audience_units)
        course.save(update_fields=["audience"])
    return course


def ready_video(duration: float = 100.0) -> VideoAsset:
    asset = VideoAsset.objects.create(original_name="v.mp4", status=VideoAsset.Status.READY, duration=duration)
    asset.rendition.save("v.mp4", ContentFile(b"\0" * 1000), save=False)
    asset.poster.save("v.jpg", ContentFile(b"\xff\xd8\xff\0"), save=False)
    asset.save()
    return asset


def add_lesson(
    course: Course,
    *,
    kind: str = Lesson.Kind.VIDEO,
    title: str = "依法履职",
    duration: float = 100.0,
    hours: str = "0.5",
    category: str = "ethics",
    micro: bool = False,
    **fields,
) -> Lesson:
    chapter = course.chapters.first() or Chapter.objects.create(course=course, title="第一章", position=1)
    if kind == Lesson.Kind.VIDEO and "video" not in fields:
        fields["video"] = ready_video(duration)
    return Lesson.objects.create(
        chapter=chapter,
        title=title,
        kind=kind,
        credit_hours=Decimal(hours),
        hours_category=category,
        is_micro=micro,
        position=chapter.lessons.count() + 1,
        **fields,
    )


@pytest.fixture
def course(org, instructor) -> Course:
    return make_course(owner=org.market, instructors=[instructor], audience_domains=[org.market_domain])


@pytest.fixture
def video_lesson(course) -> Lesson:
    return add_lesson(course)


@pytest.fixture
def sample_video(tmp_path) -> Path:
    if not video.ffmpeg_available():
        pytest.skip("ffmpeg/ffprobe 未安装（apt-get install ffmpeg）：跳过")
    path = tmp_path / "sample.mp4"
    video.sample_generate(path, seconds=4, width=320, height=180)
    return path
