"""JSON API of the player and the uploader: watch sessions, heartbeats, checkpoints, reading, chunked uploads."""

from __future__ import annotations

from uuid import UUID

from django.http import Http404, HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from zhifa.common.ids import RowId, Seq
from zhifa.courses import queries, tracking, uploads
from zhifa.courses.models import Checkpoint, Lesson, VideoAsset, WatchSession
from zhifa.courses.services import CourseError
from zhifa.people import access

router = Router(tags=["courses"])


class ErrorOut(Schema):
    code: str
    message: str


class SessionOut(Schema):
    session: int
    furthest: float
    last_position: float
    completed: bool
    watched: list[list[float]]


class BeatIn(Schema):
    seq: Seq
    intervals: list[list[float]]
    position: float = 0
    rate: float = 1


class BeatOut(Schema):
    accepted: bool
    code: str = ""
    message: str = ""
    unique_seconds: float
    furthest: float
    completed: bool


class AnswerIn(Schema):
    response: str


class AnswerOut(Schema):
    correct: bool
    message: str
    completed: bool


class DoneOut(Schema):
    completed: bool


class UploadIn(Schema):
    filename: str
    size: int


class UploadOut(Schema):
    id: UUID
    received: int
    total_size: int
    status: str


class VideoOut(Schema):
    id: int
    status: str
    status_label: str
    progress: int
    duration: float
    error: str


def _officer(request: HttpRequest):
    officer = access.officer_of(request.user)
    if officer is None:
        raise Http404  # only officers' watching is tracked; previews send nothing
    return officer


@router.post("/lessons/{lesson_id}/sessions", response={200: SessionOut}, url_name="courses-session-start")
def session_start(request, lesson_id: int):
    officer = _officer(request)
    lesson = queries.lesson_get_for_user(lesson_id=lesson_id, user=request.user)
    session, progress = tracking.session_start(
        officer=officer, lesson=lesson, user_agent=request.headers.get("User-Agent", "")
    )
    return Status(
        200,
        {
            "session": session.pk,
            "furthest": progress.furthest,
            "last_position": progress.last_position,
            "completed": progress.completed_at is not None,
            "watched": progress.watched,
        },
    )


@router.post("/sessions/{session_id}/heartbeats", response={200: BeatOut, 409: BeatOut}, url_name="courses-heartbeat")
def heartbeat(request, session_id: RowId, payload: BeatIn):
    try:
        result = tracking.heartbeat_record(
            session_id=session_id,
            user=request.user,
            seq=payload.seq,
            spans=payload.intervals[:200],
            position=payload.position,
            rate=payload.rate,
        )
    except WatchSession.DoesNotExist:
        raise Http404 from None
    # Serialised by hand: the busiest endpoint of the app skips the response schema's validation (same shape).
    body = {
        "accepted": result.accepted,
        "code": result.code,
        "message": result.message,
        "unique_seconds": result.unique_seconds,
        "furthest": result.furthest,
        "completed": result.completed,
    }
    return JsonResponse(body, status=200 if result.accepted else 409, json_dumps_params={"ensure_ascii": False})


@router.post("/sessions/{session_id}/read", response={200: DoneOut, 409: ErrorOut}, url_name="courses-lesson-read")
def lesson_read(request, session_id: int):
    officer = _officer(request)
    try:
        progress = tracking.reading_complete(session_id=session_id, officer=officer)
    except WatchSession.DoesNotExist:
        raise Http404 from None
    except CourseError as error:
        return Status(409, {"code": "too_early", "message": str(error)})
    return Status(200, {"completed": progress.completed_at is not None})


@router.post(
    "/checkpoints/{checkpoint_id}/answer",
    response={200: AnswerOut, 409: ErrorOut},
    url_name="courses-checkpoint-answer",
)
def checkpoint_answer(request, checkpoint_id: int, payload: AnswerIn):
    officer = _officer(request)
    checkpoint = get_object_or_404(Checkpoint.objects.select_related("lesson"), pk=checkpoint_id)
    queries.lesson_get_for_user(lesson_id=checkpoint.lesson_id, user=request.user)
    try:
        result = tracking.checkpoint_answer(officer=officer, checkpoint=checkpoint, response=payload.response)
    except (CourseError, Lesson.DoesNotExist) as error:
        return Status(409, {"code": "not_reached", "message": str(error)})
    except tracking.LessonProgress.DoesNotExist:
        return Status(409, {"code": "not_started", "message": "请先播放视频。"})
    return Status(200, result)


def _upload_out(upload) -> dict:
    return {"id": upload.pk, "received": upload.received, "total_size": upload.total_size, "status": upload.status}


@router.post("/uploads", response={200: UploadOut, 400: ErrorOut, 404: ErrorOut}, url_name="courses-upload-start")
def upload_start(request, payload: UploadIn):
    if not queries.can_author(request.user):
        return Status(404, {"code": "not_found", "message": "页面不存在。"})
    try:
        upload = uploads.upload_start(by=request.user, filename=payload.filename, total_size=payload.size)
    except CourseError as error:
        return Status(400, {"code": "bad_file", "message": str(error)})
    return Status(200, _upload_out(upload))


@router.get("/uploads/{upload_id}", response={200: UploadOut}, url_name="courses-upload")
def upload_status(request, upload_id: UUID):
    return Status(200, _upload_out(queries.upload_get_for_user(upload_id=upload_id, user=request.user)))


@router.put("/uploads/{upload_id}", response={200: UploadOut, 400: ErrorOut, 409: UploadOut}, url_name="courses-upload")
def upload_chunk(request, upload_id: UUID, offset: int):
    upload = queries.upload_get_for_user(upload_id=upload_id, user=request.user)
    try:
        upload = uploads.upload_chunk(upload=upload, offset=offset, data=request.body)
    except uploads.OffsetMismatch:
        upload.refresh_from_db()
        return Status(409, _upload_out(upload))
    except CourseError as error:
        return Status(400, {"code": "bad_chunk", "message": str(error)})
    return Status(200, _upload_out(upload))


@router.post("/uploads/{upload_id}/finish", response={200: VideoOut, 400: ErrorOut}, url_name="courses-upload-finish")
def upload_finish(request, upload_id: UUID):
    upload = queries.upload_get_for_user(upload_id=upload_id, user=request.user)
    try:
        asset = uploads.upload_finish(upload=upload)
    except CourseError as error:
        return Status(400, {"code": "bad_video", "message": str(error)})
    return Status(200, _video_out(asset))


def _video_out(asset: VideoAsset) -> dict:
    return {
        "id": asset.pk,
        "status": asset.status,
        "status_label": asset.get_status_display(),
        "progress": asset.progress,
        "duration": asset.duration,
        "error": asset.error,
    }


@router.get("/videos/{video_id}", response={200: VideoOut}, url_name="courses-video")
def video_status(request, video_id: int):
    return Status(200, _video_out(queries.video_get_for_user(video_id=video_id, user=request.user)))
