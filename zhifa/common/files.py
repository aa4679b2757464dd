"""Uploaded files are never public (issue 20 item 6): random names on disk, and every byte through a checked view.

- `PrivateFileSystemStorage` (the default storage on local disk) stores each upload under a random name (the folder
  and the extension kept: `records/evidence/2026/12/Xk3…Q.pdf`), so a name cannot be guessed from another.
- Its `url()` is not a path under MEDIA_URL (nothing serves /media/, in the demo or behind nginx) but a link to
  `file_download`, signed, bound to the user whose page it is rendered on, and valid for FILE_LINK_MAX_AGE seconds.
  A page shows a link only after its own access check (the page is the check); anyone else holding the link (an
  anonymous visitor, another unit's officer, a forwarded e-mail) gets the Chinese 404 page.
- Apps whose own views serve a file after their access check (hours evidence, class documents, case files) answer
  with `file_response()`: X-Accel-Redirect to nginx's internal location when MEDIA_X_ACCEL_PREFIX is set
  (docs/operations.md), the file itself otherwise; active content (HTML, SVG, scripts) only ever as a download.
"""

from __future__ import annotations

import contextlib
import mimetypes
import os
import posixpath
import secrets
from contextvars import ContextVar

from django.conf import settings
from django.core import signing
from django.core.files.storage import FileSystemStorage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.http import content_disposition_header

SALT = "zhifa.common.files"
# Shown in the browser; everything else is offered as a download (never rendered as a page of our origin).
INLINE_TYPES = {"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp", "video/mp4", "text/plain"}

_viewer: ContextVar[int | None] = ContextVar("zhifa_file_viewer", default=None)


def set_viewer(user_id: int | None):
    """Who the page being rendered is for (set per request by common.middleware); links are minted for him."""
    return _viewer.set(user_id)


def reset_viewer(token) -> None:
    _viewer.reset(token)


def random_name(name: str) -> str:
    """`folder/anything.ext` → `folder/<22 random characters>.ext` (the extension lower-cased, at most 10 long)."""
    folder, base = posixpath.split(name)
    ext = posixpath.splitext(base)[1].lower()
    ext = ext if 1 < len(ext) <= 10 and ext[1:].isalnum() else ""
    return posixpath.join(folder, secrets.token_urlsafe(16) + ext)


def link_token(name: str, user_id: int | None) -> str:
    return signing.dumps({"n": name, "u": user_id}, salt=SALT, compress=True)


def link_name(token: str, user_id: int | None) -> str:
    """The file name a link grants to this user; Http404 for a forged, expired or someone else's link."""
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.FILE_LINK_MAX_AGE)
    except signing.BadSignature:
        raise Http404 from None
    if user_id is None or data.get("u") != user_id or not data.get("n"):
        raise Http404
    return str(data["n"])


class PrivateFileSystemStorage(FileSystemStorage):
    """Local media: random names for uploads, signed per-user links instead of public URLs."""

    def generate_filename(self, filename) -> str:
        return super().generate_filename(random_name(str(filename)))

    def _save(self, name, content) -> str:
        """Write beside the target under a `.part` name, then link it into place; OSError when the write fails (the
        media volume full, a quota, an I/O error), and then nothing is left behind. Django's own _save leaves the
        half-written file at its final name; here no reader ever sees half a file either."""
        part = f"{name}.{secrets.token_hex(6)}.part"
        try:
            part = super()._save(part, content)  # type: ignore[misc]  # FileSystemStorage._save: not in django-stubs
            while True:
                try:
                    os.link(self.path(part), self.path(name))  # never replaces an existing file
                    return str(name).replace("\\", "/")
                except FileExistsError:
                    name = self.get_available_name(name)
                except PermissionError:  # a file system without hard links: rename (the name is random)
                    os.replace(self.path(part), self.path(name))
                    return str(name).replace("\\", "/")
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.remove(self.path(part))

    def url(self, name: str | None) -> str:
        if not name:
            raise ValueError("This file is not accessible via a URL.")
        return reverse("common:file", kwargs={"token": link_token(name, _viewer.get())})


def file_response(field: FieldFile | str, *, filename: str = "", content_type: str | None = None) -> HttpResponseBase:
    """The file to a user the caller has checked: via nginx (X-Accel-Redirect) or streamed; 404 if it is gone."""
    from django.core.files.storage import default_storage

    name = field if isinstance(field, str) else (field.name or "")
    if not name:
        raise Http404
    content_type = content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    inline = content_type in INLINE_TYPES
    shown = filename or posixpath.basename(name)
    prefix = getattr(settings, "MEDIA_X_ACCEL_PREFIX", "")
    response: HttpResponseBase
    if prefix and isinstance(default_storage, FileSystemStorage):
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + name.lstrip("/")
    else:
        storage = field.storage if isinstance(field, FieldFile) else default_storage
        if not storage.exists(name):
            raise Http404
        response = FileResponse(storage.open(name, "rb"), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, shown) or "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; media-src 'self'"
    response["Cache-Control"] = "private, no-store"
    return response


def file_download(request: HttpRequest, token: str) -> HttpResponseBase:
    """A file behind a link minted for this user on a page he was allowed to see; the Chinese 404 otherwise."""
    user_id = request.user.pk if request.user.is_authenticated else None
    return file_response(link_name(token, user_id))
