"""Import law files from paths: single files, folders, .zip and .tar.gz archives (the corpus), with a report row
per file. Each file is imported in its own transaction: a bad file is skipped with its reason, the others go in.

A folder or archive may hold an `index.csv` (columns `path` and optionally `version_date`, `category`), as the
shared data and the corpus do: its date is used when a text has no history lines, its category as a folder hint.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tarfile
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from zhifa.laws import services
from zhifa.laws.classify import NotALaw
from zhifa.laws.parser import ParseError, parse_law
from zhifa.laws.sources import SUPPORTED_SUFFIXES, date_in_name, file_text

SKIPPED = "skipped"
ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar", ".zip")
# A folder's own description (the corpus's README.md) is no law text; it is passed over like its index.
IGNORED_NAMES = {"index.csv", ".DS_Store", "README.md", "README.txt", "README"}


@dataclass
class SourceFile:
    """One file to import: a display name, the folders it sits in (outermost first) and a way to read it."""

    name: str
    read: Callable[[], bytes]
    folders: tuple[str, ...] = ()
    meta: dict = field(default_factory=dict)
    explicit: bool = False  # named on the command line rather than found in a folder


class Metadata:
    """Rows of index.csv files, found by path suffix (the corpus index names files relative to its root)."""

    def __init__(self) -> None:
        self.rows: dict[str, dict] = {}

    def add_csv(self, data: bytes) -> None:
        try:
            reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
            for row in reader:
                parts = PurePosixPath(row.get("path") or "").parts
                for start in range(len(parts)):
                    self.rows.setdefault("/".join(parts[start:]), row)
        except (UnicodeDecodeError, csv.Error):
            return  # an unreadable index only loses hints; the texts themselves still import

    def find(self, relative: str) -> dict:
        parts = PurePosixPath(relative).parts
        for start in range(len(parts)):
            row = self.rows.get("/".join(parts[start:]))
            if row:
                return row
        return {}


def _constant(data: bytes) -> Callable[[], bytes]:
    return lambda: data


def _supported(name: str) -> bool:
    return name.lower().endswith(SUPPORTED_SUFFIXES)


def _tar_sources(path: Path) -> Iterator[SourceFile]:
    metadata = Metadata()
    with tarfile.open(path) as tar:  # first pass: the index files (small), read sequentially
        for member in tar:
            if member.isfile() and PurePosixPath(member.name).name == "index.csv":
                metadata.add_csv(tar.extractfile(member).read())  # type: ignore[union-attr]
    with tarfile.open(path) as tar:
        for member in tar:
            if not member.isfile() or PurePosixPath(member.name).name in IGNORED_NAMES:
                continue
            data = tar.extractfile(member).read()  # type: ignore[union-attr]
            parts = PurePosixPath(member.name).parts
            yield SourceFile(member.name, _constant(data), tuple(parts[:-1]), metadata.find(member.name))


def _zip_sources(data: bytes, name: str) -> Iterator[SourceFile]:
    metadata = Metadata()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, NotImplementedError) as exc:  # NotImplementedError: a zip version it cannot read
        raise ParseError(0, f"“{name}”不是有效的 zip 压缩包：{exc}") from exc
    with archive:
        names = [info.filename for info in archive.infolist() if not info.is_dir()]
        for member in names:
            if PurePosixPath(member).name == "index.csv":
                metadata.add_csv(archive.read(member))
        for member in sorted(names):
            if PurePosixPath(member).name in IGNORED_NAMES:
                continue
            content = archive.read(member)
            parts = PurePosixPath(member).parts
            yield SourceFile(member, _constant(content), tuple(parts[:-1]), metadata.find(member))


def _folder_sources(root: Path) -> Iterator[SourceFile]:
    metadata = Metadata()
    for index in sorted(root.rglob("index.csv")):
        metadata.add_csv(index.read_bytes())
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if path.name in IGNORED_NAMES or path.name.startswith("."):
            continue
        relative = path.relative_to(root).as_posix()
        folders = (root.name, *path.relative_to(root).parts[:-1])
        yield SourceFile(relative, path.read_bytes, folders, metadata.find(relative))


def _first_line(source: SourceFile) -> str:
    try:
        text = file_text(source.name, source.read())
    except ParseError:
        return ""
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _merged(parts: list[SourceFile]) -> SourceFile | None:
    """One document from files that each hold a part of it (民法典 stored one file per 编), or None when the
    files are not disjoint parts (then they import one by one, and conflicts are reported)."""
    parsed = []
    for part in parts:
        try:
            text = file_text(part.name, part.read())
            parsed.append((parse_law(text), text))
        except ParseError:
            return None
    parsed.sort(key=lambda pair: (pair[0].articles()[0].number or 0, pair[0].articles()[0].sub or 0))
    labels = [a.label for law, _ in parsed for a in law.articles()]
    if len(labels) != len(set(labels)):
        return None
    first_law, first_text = parsed[0]
    lines = first_text.splitlines()
    for law, text in parsed[1:]:
        lines += text.splitlines()[law.body[0].line - 1 :]  # the body only: no second title or history
    merged = "\n".join(lines).encode("utf-8")
    name = f"{PurePosixPath(parts[0].name).parent}/{first_law.title}（由{len(parts)}个分编文件合并）.txt"
    return SourceFile(name, lambda: merged, parts[0].folders, parts[0].meta)


def _with_parts_merged(sources: Iterator[SourceFile]) -> Iterator[SourceFile]:
    """Files of one folder that share a title and carry no date in their names are merged when they are parts."""
    folder: tuple[str, ...] | None = None
    pending: list[SourceFile] = []
    for source in [*sources, None]:
        if source is not None and source.folders == folder:
            pending.append(source)
            continue
        groups: dict[str, list[SourceFile]] = {}
        for item in pending:
            undated = _supported(item.name) and not date_in_name(item.name)
            key = _first_line(item) if undated else f"\0{item.name}"
            groups.setdefault(key or f"\0{item.name}", []).append(item)
        for group in groups.values():
            merged = _merged(group) if len(group) > 1 else None
            yield from [merged] if merged else group
        folder, pending = (source.folders, [source]) if source is not None else (None, [])


def sources_from_paths(paths: Sequence[str | Path]) -> Iterator[SourceFile]:
    """Every file under the given files, folders and archives, in a stable order; parts of one document merged."""
    return _with_parts_merged(_sources_from_paths(paths))


def _sources_from_paths(paths: Sequence[str | Path]) -> Iterator[SourceFile]:
    for raw in paths:
        path = Path(raw)
        lower = path.name.lower()
        if path.is_dir():
            yield from _folder_sources(path)
        elif lower.endswith((".tar.gz", ".tgz", ".tar")):
            yield from _tar_sources(path)
        elif lower.endswith(".zip"):
            yield from _zip_sources(path.read_bytes(), path.name)
        else:
            metadata = Metadata()
            if (path.parent / "index.csv").is_file():
                metadata.add_csv((path.parent / "index.csv").read_bytes())
            yield SourceFile(str(path), path.read_bytes, (path.parent.name,), metadata.find(path.name), explicit=True)


def sources_from_upload(name: str, data: bytes) -> Iterator[SourceFile]:
    """The files of one uploaded file: itself, or the members of a .zip / .tar.gz archive."""
    lower = name.lower()
    if lower.endswith(".zip"):
        yield from _zip_sources(data, name)
    elif lower.endswith((".tar.gz", ".tgz", ".tar")):
        try:
            tar = tarfile.open(fileobj=io.BytesIO(data))  # noqa: SIM115 - closed by the with below
        except tarfile.TarError as exc:
            raise ParseError(0, f"“{name}”不是有效的 tar 压缩包：{exc}") from exc
        with tar:
            for member in tar.getmembers():
                if member.isfile() and PurePosixPath(member.name).name not in IGNORED_NAMES:
                    content = tar.extractfile(member).read()  # type: ignore[union-attr]
                    parts = PurePosixPath(member.name).parts
                    yield SourceFile(member.name, _constant(content), tuple(parts[:-1]))
    else:
        yield SourceFile(name, lambda: data, explicit=True)


def _hint_date(source: SourceFile) -> dt.date | None:
    raw = source.meta.get("version_date") or date_in_name(source.name)
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def import_source(source: SourceFile, *, replace: bool = False, by=None) -> dict:
    """Import one file; a report row: the ImportResult fields, or status "skipped" with a Chinese reason."""
    if not _supported(source.name):
        return {"file": source.name, "status": SKIPPED, "reason": "不支持的文件类型，只能导入 .txt、.md 或 .docx 文件"}
    folders = list(source.folders)
    if source.meta.get("category"):
        folders += source.meta["category"].split("/")
    try:
        text = file_text(source.name, source.read())
        result = services.law_import_text(
            text=text, source_name=source.name, folders=folders, version_date=_hint_date(source), replace=replace, by=by
        )
    except ParseError as exc:
        return {"file": source.name, "status": SKIPPED, "reason": str(exc), "line": exc.line}
    except (NotALaw, services.ImportConflict) as exc:
        return {"file": source.name, "status": SKIPPED, "reason": str(exc)}
    return {"file": source.name, **result.as_dict()}
