"""Resumable chunked video upload and the background processing task (probe, poster, H.264 rendition).

Protocol: POST start (file name, total size) → a session id; PUT chunks with their byte offset; GET the session to
learn how many bytes arrived (after a dropped connection, resume from there); POST finish → ffprobe checks the file,
a VideoAsset is created and the transcoding task is enqueued. Chunks are staged on local disk under MEDIA_ROOT.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import cast

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.tasks import task

from zhifa.courses import conf, queries, video
from zhifa.courses.models import UploadSession, VideoAsset
from zhifa.courses.services import CourseError, NotPermitted
from zhifa.people.models import User

logger = logging.getLogger("zhifa.courses.uploads")

STAGING = "courses/uploads"
ORIGINALS = "courses/videos/original"


class OffsetMismatch(CourseError):
    """The chunk does not start where the server's copy ends; the client resumes from `expected`."""

    def __init__(self, expected: int):
        super().__init__(f"分片位置不连续：服务器已接收 {expected} 字节，请从该位置继续上传。")
        self.expected = expected


def _media_path(name: str) -> Path:
    path = Path(settings.MEDIA_ROOT) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def staging_path(upload: UploadSession) -> Path:
    return _media_path(f"{STAGING}/{upload.pk}.part")


def looks_like_video(head: bytes) -> bool:
    """Container signatures of common video formats (MP4/MOV, Matroska/WebM, AVI, FLV, MPEG-PS/TS, ASF)."""
    return (
        head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip")
        or head.startswith((b"\x1a\x45\xdf\xa3", b"FLV", b"\x00\x00\x01\xba", b"\x00\x00\x01\xb3", b"\x47"))
        or (head.startswith(b"RIFF") and head[8:11] == b"AVI")
        or head.startswith(b"\x30\x26\xb2\x75\x8e\x66\xcf\x11")
    )


def upload_start(*, by: User, filename: str, total_size: int) -> UploadSession:
    """Open an upload; raises CourseError for a non-video name or an empty or too large file."""
    if not queries.can_author(by):
        raise NotPermitted("只有讲师、单位培训管理员和系统管理员可以上传课程视频。")
    suffix = Path(filename).suffix.lower()
    if suffix not in video.VIDEO_EXTENSIONS:
        allowed = "、".join(sorted(video.VIDEO_EXTENSIONS))
        raise CourseError(f"“{filename}”不是视频文件：请上传 {allowed} 格式的视频。")
    if total_size <= 0:
        raise CourseError("文件是空的，请重新选择视频文件。")
    if total_size > conf.video_max_bytes():
        raise CourseError(f"视频超过上限 {conf.video_max_bytes() // 1024**2} MB，请压缩后再上传。")
    upload = UploadSession.objects.create(created_by=by, filename=Path(filename).name[:200], total_size=total_size)
    staging_path(upload).write_bytes(b"")
    return upload


def upload_chunk(*, upload: UploadSession, offset: int, data: bytes) -> UploadSession:
    """Append a chunk at `offset`; raises OffsetMismatch (resume from .expected) or CourseError.

    A first chunk whose header is not a video container fails the whole upload at once (no point sending 2 GB).
    """
    if offset == 0 and upload.status == UploadSession.Status.OPEN and not looks_like_video(data[:16]):
        UploadSession.objects.filter(pk=upload.pk).update(
            status=UploadSession.Status.FAILED,
            error="文件内容不是视频（文件头不是常见视频格式），请上传 MP4 等视频文件。",
        )
        staging_path(upload).unlink(missing_ok=True)
        raise CourseError("文件内容不是视频（文件头不是常见视频格式），请上传 MP4 等视频文件。")
    return _append(upload=upload, offset=offset, data=data)


@transaction.atomic
def _append(*, upload: UploadSession, offset: int, data: bytes) -> UploadSession:
    upload = UploadSession.objects.select_for_update().get(pk=upload.pk)
    if upload.status != UploadSession.Status.OPEN:
        raise CourseError("该上传已结束，不能继续追加数据；如需重新上传，请重新选择文件。")
    if offset != upload.received:
        raise OffsetMismatch(upload.received)
    if not data:
        raise CourseError("收到的分片是空的，请重试。")
    if len(data) > conf.chunk_max_bytes():
        raise CourseError(f"分片过大：每片最多 {conf.chunk_max_bytes() // 1024**2} MB。")
    if offset + len(data) > upload.total_size:
        raise CourseError("上传的数据超过了开始时声明的文件大小，请重新选择文件上传。")
    path = staging_path(upload)
    with path.open("r+b") as handle:
        handle.truncate(offset)  # a write cut short by a crash left extra bytes: drop them
        handle.seek(offset)
        handle.write(data)
    upload.received = offset + len(data)
    upload.save(update_fields=["received", "updated_at"])
    return upload


def upload_finish(*, upload: UploadSession) -> VideoAsset:
    """Check the complete file with ffprobe and start processing; raises CourseError for a truncated upload or a
    file that is not a readable video (the staged bytes are deleted)."""
    upload = UploadSession.objects.get(pk=upload.pk)
    if upload.status == UploadSession.Status.COMPLETE and upload.video is not None:
        return upload.video  # a retried finish
    if upload.status != UploadSession.Status.OPEN:
        raise CourseError(upload.error or "该上传已失败，请重新上传。")
    if upload.received != upload.total_size:
        raise CourseError(f"上传不完整：已接收 {upload.received} / {upload.total_size} 字节，请继续上传剩余部分。")
    staged = staging_path(upload)
    try:
        probe = video.probe(staged)
    except video.VideoError as error:
        UploadSession.objects.filter(pk=upload.pk).update(status=UploadSession.Status.FAILED, error=str(error))
        staged.unlink(missing_ok=True)
        raise CourseError(str(error)) from error
    name = f"{ORIGINALS}/{upload.pk}{Path(upload.filename).suffix.lower()}"
    staged.rename(_media_path(name))
    asset = VideoAsset.objects.create(
        original=name,
        original_name=upload.filename,
        size=upload.total_size,
        duration=probe.duration,
        width=probe.width,
        height=probe.height,
        uploaded_by=upload.created_by,
    )
    UploadSession.objects.filter(pk=upload.pk).update(status=UploadSession.Status.COMPLETE, video=asset)
    video_process.enqueue(asset.pk)
    asset.refresh_from_db()
    return asset


@task
def video_process(video_id: int) -> None:
    """Background task: poster frame and H.264 MP4 rendition, with progress stored for the "转码中" display."""
    video_process_now(video_id)


def _progress_store(video_id: int, progress: int) -> None:
    VideoAsset.objects.filter(pk=video_id).update(progress=progress)


def video_process_now(video_id: int) -> None:
    """Make the poster and the rendition in this process (the task's body; the demo seed calls it directly)."""
    asset = VideoAsset.objects.get(pk=video_id)
    source = Path(settings.MEDIA_ROOT) / cast(str, asset.original.name)  # set by upload_finish, never empty
    with tempfile.TemporaryDirectory(prefix="zhifa-video-") as tmp:
        poster, mp4 = Path(tmp) / "poster.jpg", Path(tmp) / "video.mp4"
        try:
            video.poster(source, poster, at=min(1.0, asset.duration / 3))
            video.transcode(
                source,
                mp4,
                duration=asset.duration,
                on_progress=lambda p: _progress_store(video_id, p),
            )
        except video.VideoError as error:
            VideoAsset.objects.filter(pk=video_id).update(status=VideoAsset.Status.FAILED, error=str(error))
            logger.warning("video %s failed: %s", video_id, error)
            return
        with poster.open("rb") as p, mp4.open("rb") as m:
            asset.poster.save(f"{video_id}.jpg", File(p), save=False)
            asset.rendition.save(f"{video_id}.mp4", File(m), save=False)
    asset.duration = video.probe(Path(asset.rendition.path)).duration if default_storage_is_local() else asset.duration
    asset.status, asset.progress, asset.error = VideoAsset.Status.READY, 100, ""
    asset.save(update_fields=["poster", "rendition", "duration", "status", "progress", "error", "updated_at"])


def default_storage_is_local() -> bool:
    try:
        default_storage.path("x")
    except NotImplementedError:
        return False
    return True
