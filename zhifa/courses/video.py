"""ffprobe/ffmpeg wrappers: probe a file, grab a poster frame, make an H.264 MP4 rendition, generate a sample.

No ORM here. Every failure raises VideoError with a Chinese message an uploader can act on.
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

VIDEO_EXTENSIONS = {".mp4", ".m4v", ".mov", ".webm", ".mkv", ".avi", ".flv", ".wmv", ".mpg", ".mpeg", ".ts"}


class VideoError(Exception):
    """A file that cannot be used as a lesson video; str(error) is the Chinese message."""


@dataclass(frozen=True)
class Probe:
    duration: float
    width: int
    height: int
    video_codec: str
    has_audio: bool


def ffmpeg_available() -> bool:
    return shutil.which("ffmpeg") is not None and shutil.which("ffprobe") is not None


def _require_ffmpeg() -> None:
    if not ffmpeg_available():
        raise VideoError("服务器未安装 ffmpeg/ffprobe，无法处理视频；请管理员执行 apt-get install ffmpeg 后重新上传。")


def probe(path: Path) -> Probe:
    """Duration and size of the first video stream; raises VideoError for anything that is not a readable video."""
    _require_ffmpeg()
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if result.returncode != 0:
        raise VideoError("无法识别该文件：它不是视频，或文件已损坏、不完整。请检查后重新上传 MP4 等常见视频格式。")
    info = json.loads(result.stdout or "{}")
    streams = info.get("streams", [])
    video = next(
        (s for s in streams if s.get("codec_type") == "video" and s.get("disposition", {}).get("attached_pic", 0) == 0),
        None,
    )
    if video is None:
        raise VideoError("该文件中没有视频画面（可能是音频或图片），请上传视频文件。")
    try:
        duration = float(info.get("format", {}).get("duration") or video.get("duration") or 0)
    except ValueError:
        duration = 0.0
    if duration <= 0:
        raise VideoError("无法读取视频时长，文件可能不完整；请重新导出后上传。")
    return Probe(
        duration=duration,
        width=int(video.get("width") or 0),
        height=int(video.get("height") or 0),
        video_codec=str(video.get("codec_name", "")),
        has_audio=any(s.get("codec_type") == "audio" for s in streams),
    )


def poster(source: Path, target: Path, *, at: float) -> None:
    """Write one JPEG frame taken at `at` seconds."""
    _require_ffmpeg()
    result = subprocess.run(
        [
            "ffmpeg",
            "-y",
            "-v",
            "error",
            "-ss",
            f"{at:.2f}",
            "-i",
            str(source),
            "-frames:v",
            "1",
            "-vf",
            "scale=640:-2",
            "-q:v",
            "4",
            str(target),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0 or not target.exists():
        raise VideoError("无法从视频中截取封面帧，文件可能已损坏。")


def transcode(source: Path, target: Path, *, duration: float, on_progress: Callable[[int], None]) -> None:
    """Make an H.264/AAC MP4 with the index at the front (plays while it downloads); reports progress 0..100.

    -xerror stops at the first decoding error so a truncated or damaged file fails instead of yielding half a video.
    """
    _require_ffmpeg()
    command = [
        "ffmpeg",
        "-y",
        "-v",
        "error",
        "-xerror",
        "-i",
        str(source),
        "-map",
        "0:v:0",
        "-map",
        "0:a:0?",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-crf",
        "23",
        "-pix_fmt",
        "yuv420p",
        "-vf",
        "scale=trunc(iw/2)*2:trunc(ih/2)*2",
        "-c:a",
        "aac",
        "-b:a",
        "128k",
        "-movflags",
        "+faststart",
        "-progress",
        "pipe:1",
        "-nostats",
        str(target),
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    last = -1
    for line in process.stdout:
        key, _, value = line.strip().partition("=")
        if key == "out_time_us" and value.isdigit() and duration > 0:
            percent = min(99, int(int(value) / 1_000_000 / duration * 100))
            if percent != last:
                on_progress(percent)
                last = percent
    stderr = process.stderr.read() if process.stderr else ""
    if process.wait() != 0:
        target.unlink(missing_ok=True)
        logger.warning("ffmpeg failed on %s: %s", source.name, stderr.strip()[-500:])
        raise VideoError("视频转码失败：文件不完整或已损坏（解码出错）。请重新导出完整的视频后上传。")
    on_progress(100)


def sample_generate(target: Path, *, seconds: int = 8, width: int = 640, height: int = 360) -> None:
    """Generate a test-pattern video with a sine tone (the demo and tests need a real video, no font required)."""
    _require_ffmpeg()
    result = subprocess.run(
        [
            "ffmpeg",
            "-y",
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            f"testsrc2=size={width}x{height}:rate=25:duration={seconds}",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=440:sample_rate=44100:duration={seconds}",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-shortest",
            "-movflags",
            "+faststart",
            str(target),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise VideoError(f"生成示例视频失败：{result.stderr.strip()[:200]}")
