"""Chunked, resumable video upload; checking with ffprobe; the background rendition with its "转码中" progress."""

from pathlib import Path

import pytest

from zhifa.courses.models import UploadSession, VideoAsset
from zhifa.courses.tests.conftest import needs_ffmpeg

API = "/api/v1/courses"


@pytest.fixture
def author(client, instructor):
    client.force_login(instructor)
    return client


def start(client, name: str, size: int):
    return client.post(f"{API}/uploads", {"filename": name, "size": size}, content_type="application/json")


def put(client, upload_id, offset: int, data: bytes):
    return client.put(f"{API}/uploads/{upload_id}?offset={offset}", data, content_type="application/octet-stream")


@needs_ffmpeg
def test_an_upload_interrupted_midway_resumes_and_becomes_a_playable_video(author, sample_video, settings):
    data = sample_video.read_bytes()
    upload = start(author, "职业道德.mp4", len(data)).json()
    half = len(data) // 2
    assert put(author, upload["id"], 0, data[:half]).json()["received"] == half
    # The connection dropped: the client does not know what arrived and asks; then resends from there.
    assert author.get(f"{API}/uploads/{upload['id']}").json()["received"] == half
    stale = put(author, upload["id"], 0, data[:half])  # a retried old chunk is refused with the server's count
    assert stale.status_code == 409 and stale.json()["received"] == half
    assert put(author, upload["id"], half, data[half:]).json()["received"] == len(data)

    finished = author.post(f"{API}/uploads/{upload['id']}/finish")
    assert finished.status_code == 200, finished.json()
    asset = VideoAsset.objects.get(pk=finished.json()["id"])
    # The task ran immediately (tests use the immediate backend): poster, H.264 MP4, duration.
    assert asset.status == VideoAsset.Status.READY and asset.progress == 100
    assert 3.5 < asset.duration < 4.5
    assert Path(asset.rendition.path).stat().st_size > 1000 and asset.poster
    assert not (Path(settings.MEDIA_ROOT) / "courses/uploads" / f"{upload['id']}.part").exists()


def test_a_file_that_is_not_a_video_is_refused_by_name_and_by_content(author):
    refused = start(author, "讲义.docx", 1000)
    assert refused.status_code == 400 and "不是视频文件" in refused.json()["message"]
    upload = start(author, "disguised.mp4", 100).json()
    response = put(author, upload["id"], 0, b"PK\x03\x04 this is a zip file" + b"\0" * 60)
    assert response.status_code == 400 and "不是视频" in response.json()["message"]
    assert UploadSession.objects.get(pk=upload["id"]).status == UploadSession.Status.FAILED


@needs_ffmpeg
def test_a_truncated_upload_cannot_be_finished(author, sample_video):
    data = sample_video.read_bytes()
    upload = start(author, "v.mp4", len(data)).json()
    put(author, upload["id"], 0, data[: len(data) // 3])
    response = author.post(f"{API}/uploads/{upload['id']}/finish")
    assert response.status_code == 400 and "上传不完整" in response.json()["message"]
    assert not VideoAsset.objects.exists()


@needs_ffmpeg
def test_a_truncated_video_file_fails_in_processing_and_says_why(author, sample_video):
    data = sample_video.read_bytes()[: len(sample_video.read_bytes()) // 2]  # the file itself was cut short
    upload = start(author, "cut.mp4", len(data)).json()
    put(author, upload["id"], 0, data)
    response = author.post(f"{API}/uploads/{upload['id']}/finish")
    asset = VideoAsset.objects.get()
    assert response.status_code == 200 and asset.status == VideoAsset.Status.FAILED
    assert "不完整或已损坏" in asset.error
    status = author.get(f"/courses/manage/videos/{asset.pk}/status")
    assert "处理失败" in status.content.decode()


@needs_ffmpeg
def test_an_unreadable_video_is_refused_at_finish(author):
    junk = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 8  # an MP4 header and nothing decodable
    upload = start(author, "broken.mp4", len(junk)).json()
    put(author, upload["id"], 0, junk)
    response = author.post(f"{API}/uploads/{upload['id']}/finish")
    assert response.status_code == 400 and "无法识别" in response.json()["message"]
    assert not VideoAsset.objects.exists()


def test_officers_cannot_upload(client, officer):
    client.force_login(officer.user)
    assert start(client, "v.mp4", 10).status_code == 404


def test_a_chunk_beyond_the_declared_size_is_refused(author):
    upload = start(author, "v.mp4", 20).json()
    response = put(author, upload["id"], 0, b"\x00\x00\x00\x18ftypmp42" + b"\0" * 40)
    assert response.status_code == 400 and "超过了开始时声明的文件大小" in response.json()["message"]


def test_the_processing_fragment_shows_progress(author, instructor):
    asset = VideoAsset.objects.create(original_name="x.mp4", progress=45, uploaded_by=instructor)
    html = author.get(f"/courses/manage/videos/{asset.pk}/status").content.decode()
    assert "转码中 45%" in html and 'hx-trigger="every 2s"' in html


def test_another_instructors_fresh_upload_is_not_visible(client, instructor, org):
    from zhifa.people.testing import grant, make_user

    asset = VideoAsset.objects.create(original_name="x.mp4", uploaded_by=instructor)
    colleague = make_user("colleague")
    grant(colleague, "instructor")
    client.force_login(colleague)
    assert client.get(f"{API}/videos/{asset.pk}").status_code == 404
    client.force_login(instructor)
    assert client.get(f"{API}/videos/{asset.pk}").json()["status_label"] == "转码中"
