"""Serving access-checked media: HTTP range requests in development, X-Accel-Redirect to nginx in production,
the storage URL for object storage. The Range parsing is pure and tested with a table."""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.http.response import HttpResponseBase

from zhifa.courses import conf

RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")
BLOCK = 256 * 1024
# A single range response is capped so a player's open-ended "bytes=0-" does not tie up a worker for a whole film.
MAX_RANGE = 8 * 1024 * 1024


def parse_range(header: str | None, size: int) -> tuple[int, int] | Literal[False] | None:
    """(first, last) byte positions of a single-range header; None without a header; False when unsatisfiable."""
    if not header:
        return None
    match = RANGE_RE.match(header.strip())
    if match is None or size <= 0:
        return False
    first_text, last_text = match.groups()
    if first_text == "" and last_text == "":
        return False
    if first_text == "":  # a suffix: the last N bytes
        length = int(last_text)
        if length == 0:
            return False
        return max(0, size - length), size - 1
    first = int(first_text)
    last = min(int(last_text), size - 1) if last_text else size - 1
    if first >= size or last < first:
        return False
    return first, min(last, first + MAX_RANGE - 1)


def _read(path: Path, first: int, last: int) -> Iterator[bytes]:
    with path.open("rb") as handle:
        handle.seek(first)
        remaining = last - first + 1
        while remaining > 0:
            block = handle.read(min(BLOCK, remaining))
            if not block:
                return
            remaining -= len(block)
            yield block


def serve(request, field: FieldFile, *, content_type: str | None = None, inline_name: str = "") -> HttpResponseBase:
    """Respond with the file behind `field`, honouring a Range header (206) or handing off to nginx/object storage."""
    response: HttpResponseBase
    content_type = content_type or mimetypes.guess_type(field.name or "")[0] or "application/octet-stream"
    try:
        path = Path(field.path)
    except NotImplementedError:  # object storage: its (signed) URL serves ranges itself
        return HttpResponseRedirect(field.url)
    prefix = conf.x_accel_prefix()
    if prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + (field.name or "").lstrip("/")
        return response
    if not path.exists():
        return HttpResponse("文件不存在或已被删除。", status=404, content_type="text/plain; charset=utf-8")
    size = path.stat().st_size
    wanted = parse_range(request.headers.get("Range"), size)
    if wanted is False:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    if wanted is None:
        response = FileResponse(path.open("rb"), content_type=content_type)
    else:
        first, last = wanted
        response = StreamingHttpResponse(_read(path, first, last), status=206, content_type=content_type)
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
        response["Content-Length"] = str(last - first + 1)
    response["Accept-Ranges"] = "bytes"
    # Byte ranges of video and PDF must reach the player as stored: keep GZipMiddleware away from them.
    response["Content-Encoding"] = "identity"
    response["Cache-Control"] = "private, max-age=3600"
    if inline_name:
        response["Content-Disposition"] = f'inline; filename="{inline_name}"'
    return response
