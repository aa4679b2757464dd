"""Range requests for the player (development) and X-Accel-Redirect for nginx (production)."""

import pytest

from zhifa.courses.media import MAX_RANGE, parse_range


@pytest.mark.parametrize(
    "header, size, expected",
    [
        (None, 100, None),
        ("bytes=0-9", 100, (0, 9)),
        ("bytes=90-", 100, (90, 99)),
        ("bytes=-10", 100, (90, 99)),
        ("bytes=0-500", 100, (0, 99)),
        ("bytes=100-", 100, False),
        ("bytes=5-2", 100, False),
        ("bytes=0-1,5-6", 100, False),  # multiple ranges: not served
        ("items=0-1", 100, False),
        ("bytes=0-", 10 * MAX_RANGE, (0, MAX_RANGE - 1)),
    ],
)
def test_parse_range(header, size, expected):
    assert parse_range(header, size) == expected


@pytest.fixture
def watcher(client, officer):
    client.force_login(officer.user)
    return client


def test_the_video_is_served_in_ranges(watcher, video_lesson):
    url = f"/courses/videos/{video_lesson.video.pk}/mp4"
    part = watcher.get(url, headers={"Range": "bytes=10-19"})
    assert part.status_code == 206
    assert part["Content-Range"] == "bytes 10-19/1000" and b"".join(part.streaming_content) == b"\0" * 10
    whole = watcher.get(url)
    assert whole.status_code == 200 and whole["Accept-Ranges"] == "bytes"
    assert watcher.get(url, headers={"Range": "bytes=5000-"}).status_code == 416


def test_production_hands_the_file_to_nginx(watcher, video_lesson, settings):
    settings.COURSES_X_ACCEL_PREFIX = "/protected-media/"
    response = watcher.get(f"/courses/videos/{video_lesson.video.pk}/mp4")
    assert response["X-Accel-Redirect"] == "/protected-media/" + video_lesson.video.rendition.name
    assert response.content == b""


def test_an_officer_outside_the_audience_cannot_fetch_the_video(client, outsider, video_lesson):
    client.force_login(outsider.user)
    assert client.get(f"/courses/videos/{video_lesson.video.pk}/mp4").status_code == 404
