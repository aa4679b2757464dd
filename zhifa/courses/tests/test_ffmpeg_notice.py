"""Without ffmpeg the demo has no video (issue 22 item 8): the staff's course pages say so plainly, with the fix."""

from django.urls import reverse

from zhifa.courses import video

NOTICE = "本服务器未安装 ffmpeg/ffprobe"


def test_the_course_console_says_when_ffmpeg_is_missing(client, sysadmin, monkeypatch):
    client.force_login(sysadmin)
    monkeypatch.setattr(video, "ffmpeg_available", lambda: False)
    page = client.get(reverse("courses:manage")).content.decode()
    assert NOTICE in page and "apt-get install ffmpeg" in page
    monkeypatch.setattr(video, "ffmpeg_available", lambda: True)
    assert NOTICE not in client.get(reverse("courses:manage")).content.decode()
