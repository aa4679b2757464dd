"""Who gets what on every courses URL (walked by common/tests/test_access_matrix.py).

The world: a published course of 江北市市场监督管理局 for the 市场监管 domain taught by the instructor (so the officer
of 东城区市场监督管理局 sees it and the transport outsider does not), with a video, a PDF and an article lesson, a
watch session of the officer and a certificate of his.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from zhifa.common.access_matrix import PERSONAS, Case, World, logged_in, only, public

AUTHORS = {"unit_admin": 200, "instructor": 200, "sysadmin": 200}
CONSOLE = {**AUTHORS, "auditor": 200}
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
)


def _file(name: str, content: bytes) -> str:
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(content))
    return name


def _course(w: World) -> dict:
    """Build the courses world once per matrix run (kwargs callables share it through World.extra)."""
    if "course" in w.extra:
        return w.extra
    from zhifa.courses.models import Certificate, Chapter, Course, Lesson, UploadSession, VideoAsset, WatchSession
    from zhifa.people.models import Audience

    audience = Audience.objects.create(name="市场监管执法人员")
    audience.domains.add(w.org.market_domain)
    course = Course.objects.create(
        audience=audience,
        code="matrix",
        title="矩阵课程",
        status=Course.Status.PUBLISHED,
        published_at=timezone.now(),
        owner_unit=w.org.market,
        created_by=w.sysadmin,
        cover=_file("courses/matrix/cover.png", TINY_PNG),
    )
    course.instructors.add(w.instructor)
    chapter = Chapter.objects.create(course=course, title="第一章", position=1)
    video = VideoAsset.objects.create(
        original_name="m.mp4",
        status=VideoAsset.Status.READY,
        duration=8,
        uploaded_by=w.sysadmin,
        rendition=_file("courses/matrix/m.mp4", b"\0" * 64),
        poster=_file("courses/matrix/m.jpg", b"\xff\xd8\xff" + b"\0" * 16),
    )
    common = {"chapter": chapter, "credit_hours": Decimal("0.5"), "hours_category": "ethics"}
    lesson = Lesson.objects.create(title="视频", kind=Lesson.Kind.VIDEO, video=video, position=1, **common)
    pdf = Lesson.objects.create(
        title="文档",
        kind=Lesson.Kind.DOCUMENT,
        position=2,
        document=_file("courses/matrix/doc.pdf", b"%PDF-1.4\n%%EOF\n"),
        **common,
    )
    from zhifa.courses.models import LessonProgress

    progress = LessonProgress.objects.create(officer=w.officer, lesson=lesson)
    now = timezone.now()
    session = WatchSession.objects.create(
        officer=w.officer, lesson=lesson, started_at=now, clock=now.timestamp(), progress=progress
    )
    certificate = Certificate.objects.create(
        code="ZFMATRIX0001", officer=w.officer, course=course, issued_at=timezone.now()
    )
    upload = UploadSession.objects.create(created_by=w.sysadmin, filename="a.mp4", total_size=10)
    w.extra.update(
        course=course,
        chapter=chapter,
        lesson=lesson,
        pdf=pdf,
        video=video,
        session=session,
        certificate=certificate,
        upload=upload,
    )
    return w.extra


def _k(**names: str):
    return lambda w: {
        key: getattr(_course(w)[obj], attr) for key, (obj, attr) in ((k, v.split(".")) for k, v in names.items())
    }


SEEN = {"officer": 200, "unit_admin": 200, "instructor": 200, "evaluator": 200, "auditor": 200, "sysadmin": 200}
ALL_405 = dict.fromkeys(PERSONAS, 405)

CASES = {
    "courses:catalogue": logged_in(),
    "courses:course-detail": only(SEEN, kwargs=_k(course_id="course.pk")),
    "courses:course-cover": only(SEEN, kwargs=_k(course_id="course.pk")),
    "courses:lesson-detail": only(SEEN, kwargs=_k(lesson_id="lesson.pk")),
    "courses:lesson-document": only(SEEN, kwargs=_k(lesson_id="pdf.pk")),
    "courses:quiz-submit": logged_in(405, kwargs=_k(lesson_id="lesson.pk")),
    "courses:video-file": only(SEEN, kwargs=lambda w: {"video_id": _course(w)["video"].pk, "kind": "mp4"}),
    "courses:certificate-pdf": only(
        {"officer": 200, "unit_admin": 200, "auditor": 200, "sysadmin": 200}, kwargs=_k(code="certificate.code")
    ),
    "courses:certificate-verify": public(kwargs=_k(code="certificate.code")),
    "courses:manage": only(CONSOLE),
    "courses:course-create": only(AUTHORS),
    "courses:course-edit": only(CONSOLE, kwargs=_k(course_id="course.pk")),
    "courses:course-publish": only(dict.fromkeys(CONSOLE, 405), kwargs=_k(course_id="course.pk")),
    "courses:chapter-create": only(dict.fromkeys(CONSOLE, 405), kwargs=_k(course_id="course.pk")),
    "courses:lesson-create": only(AUTHORS, kwargs=_k(chapter_id="chapter.pk")),
    "courses:lesson-edit": only(AUTHORS, kwargs=_k(lesson_id="lesson.pk")),
    "courses:checkpoint-create": only(dict.fromkeys(CONSOLE, 405), kwargs=_k(lesson_id="lesson.pk")),
    "courses:video-upload": only(AUTHORS),
    "courses:video-status": only(CONSOLE, kwargs=_k(video_id="video.pk")),
    "courses:certificate-revoke": only(dict.fromkeys(CONSOLE, 405), kwargs=_k(code="certificate.code")),
    # JSON API (401 for the anonymous counts as "sent to log in")
    "api:courses-session-start": only(
        {"officer": 200, "unit_admin": 200},
        anonymous=401,
        method="post",
        kwargs=_k(lesson_id="lesson.pk"),
        data={},
        content_type="application/json",
    ),
    "api:courses-heartbeat": only(
        {"officer": 200},
        anonymous=401,
        method="post",
        kwargs=_k(session_id="session.pk"),
        data={"seq": 1, "intervals": [[0, 1]], "position": 1, "rate": 1},
        content_type="application/json",
    ),
    "api:courses-lesson-read": Case(expect=ALL_405, kwargs=_k(session_id="session.pk")),
    "api:courses-checkpoint-answer": Case(expect=ALL_405, kwargs={"checkpoint_id": 1}),
    "api:courses-upload-start": only(
        dict.fromkeys(AUTHORS, 400),
        anonymous=401,
        method="post",
        data={"filename": "notes.txt", "size": 10},
        content_type="application/json",
    ),
    "api:courses-upload": only({"sysadmin": 200}, anonymous=401, kwargs=_k(upload_id="upload.pk")),
    "api:courses-upload-finish": Case(expect=ALL_405, kwargs=_k(upload_id="upload.pk")),
    "api:courses-video": only({**SEEN}, anonymous=401, kwargs=_k(video_id="video.pk")),
}
