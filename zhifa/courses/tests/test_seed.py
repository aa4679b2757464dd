"""The demo course: seeded once, re-seeding changes nothing."""

from django.core.management import call_command

from zhifa.courses import video
from zhifa.courses.models import Course, Lesson, VideoAsset


def test_seed_courses_is_idempotent_and_publishes_the_ethics_course(db, capsys):
    call_command("seed_courses")
    call_command("seed_courses")
    course = Course.objects.get(code="ethics-basics")
    assert course.status == Course.Status.PUBLISHED and course.is_required
    micro = Lesson.objects.filter(chapter__course=course, is_micro=True, kind="article")
    assert micro.count() == 5
    assert {"依法履职", "廉洁自律", "文明执法", "服务意识", "换位思考"} <= {
        t.split("：")[0] for t in micro.values_list("title", flat=True)
    }
    assert all(len(body) > 400 for body in micro.values_list("body_html", flat=True))
    if video.ffmpeg_available():
        lesson = Lesson.objects.get(chapter__course=course, kind="video")
        assert lesson.video.status == VideoAsset.Status.READY and 7 < lesson.video.duration < 9
        assert lesson.checkpoints.count() == 1
        assert VideoAsset.objects.count() == 1  # not generated twice
    else:
        assert "未安装 ffmpeg" in capsys.readouterr().out
