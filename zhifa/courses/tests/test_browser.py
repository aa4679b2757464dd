"""End to end in Chromium: an instructor uploads a generated video in chunks through a dropped connection; an officer
watches it through; seeking ahead is refused; the lesson completes only after real watching.

Time is sped up by a 6-second video and a 1-second heartbeat (COURSES_HEARTBEAT_SECONDS), not by faking clocks.
"""

from __future__ import annotations

import shutil
from decimal import Decimal

import pytest
from django.utils import timezone

from zhifa.common.browser import login
from zhifa.courses import video
from zhifa.courses.models import Chapter, Course, Lesson, LessonProgress, VideoAsset
from zhifa.people.testing import PASSWORD
from zhifa.records.models import HoursEntry

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not video.ffmpeg_available(), reason="ffmpeg/ffprobe 未安装（apt-get install ffmpeg）：跳过"),
    pytest.mark.skipif(not shutil.which("chromium"), reason="Chromium 未安装（apt-get install chromium）：跳过"),
]


def upload_with_interruptions(page, path) -> VideoAsset:
    """Upload through the console page while the network drops two chunk requests (one after the server stored it)."""
    dropped = {"before": False, "after": False}

    def flaky(route):
        request = route.request
        if request.method == "PUT" and "offset=0" not in request.url:
            if not dropped["after"]:
                dropped["after"] = True
                route.fetch()  # the server stores the chunk, but the answer never arrives
                route.abort("connectionreset")
                return
            if not dropped["before"]:
                dropped["before"] = True
                route.abort("connectionreset")  # the chunk never reaches the server
                return
        route.continue_()

    page.route("**/api/v1/courses/uploads/**", flaky)
    page.goto(page.base_url + "/courses/manage/videos/")
    page.set_input_files("#video-file", str(path))
    page.click("#upload-form button")
    page.wait_for_selector("#upload-status.ok", timeout=60_000)
    assert dropped == {"before": True, "after": True}
    assert "上传成功" in page.inner_text("#upload-status")
    page.wait_for_selector("#upload-result .video-status", timeout=30_000)
    assert "可播放" in page.inner_text("#upload-result")
    page.unroute("**/api/v1/courses/uploads/**")
    asset = VideoAsset.objects.get()
    assert asset.size == path.stat().st_size and asset.status == VideoAsset.Status.READY
    return asset


def publish_lesson(asset: VideoAsset) -> Lesson:
    course = Course.objects.create(
        code="browser",
        title="浏览器测试课程",
        status=Course.Status.PUBLISHED,
        published_at=timezone.now(),
        requirement=Course.Requirement.REQUIRED,
    )
    chapter = Chapter.objects.create(course=course, title="第一章", position=1)
    return Lesson.objects.create(
        chapter=chapter,
        title="生成的视频",
        kind=Lesson.Kind.VIDEO,
        video=asset,
        credit_hours=Decimal("0.1"),
        hours_category="ethics",
        position=1,
    )


@pytest.fixture
def page(browser, live_server):
    # The polling helpers of Playwright (wait_for_function) evaluate strings, which our CSP forbids on purpose.
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(45_000)
    page.base_url = live_server.url
    yield page
    context.close()


def test_chunked_upload_resumes_and_the_lesson_completes_only_after_real_watching(
    page, settings, tmp_path, officer, instructor
):
    settings.COURSES_HEARTBEAT_SECONDS = 1
    settings.COURSES_UPLOAD_CHUNK_BYTES = 64 * 1024
    source = tmp_path / "lesson.mp4"
    video.sample_generate(source, seconds=6)
    assert source.stat().st_size > 3 * 64 * 1024  # several chunks

    login(page, "expert", PASSWORD)
    lesson = publish_lesson(upload_with_interruptions(page, source))

    page.context.clear_cookies()
    login(page, officer.user.username, PASSWORD)
    page.goto(page.base_url + f"/courses/lessons/{lesson.pk}/")
    page.wait_for_function("document.getElementById('player').dataset.session")
    page.evaluate("const v = document.getElementById('video'); v.muted = true; v.play()")
    page.wait_for_function("document.getElementById('video').currentTime > 1")

    # Seeking beyond what was watched is refused: the player snaps back and says why.
    page.evaluate("document.getElementById('video').currentTime = 5.5")
    page.wait_for_function("document.getElementById('player-message').textContent.includes('不能快进')")
    assert page.evaluate("document.getElementById('video').currentTime") < 3.5

    # Half-way: heartbeats have arrived, but the lesson is not complete.
    page.wait_for_function("document.getElementById('video').currentTime > 3")
    progress = LessonProgress.objects.get(officer=officer, lesson=lesson)
    assert progress.completed_at is None and not HoursEntry.objects.filter(officer=officer).exists()

    page.wait_for_function("document.getElementById('video').ended", timeout=30_000)
    page.wait_for_function("document.getElementById('lesson-status').textContent.includes('已完成')", timeout=15_000)
    progress.refresh_from_db()
    assert progress.completed_at is not None
    assert progress.unique_seconds >= 0.95 * lesson.video.duration
    assert HoursEntry.objects.get(officer=officer).hours == Decimal("0.10")
