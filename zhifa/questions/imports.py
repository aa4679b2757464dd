"""Importing questions from Excel, JSONL or Word: check every row first, then write all of it or nothing.

The three readers (spreadsheet, jsonl, wordfile) each turn a file into rows of QuestionData with row or line errors;
everything after that — resolving names, checks, citations, the plan, the write — is this one pipeline.

A row is "unchanged" when the bank already holds it — the latest question with the same 编号/id, or without an id
the same content hash — with the same content and classification; "updated" when that question differs (a new
version if it was ever published, tags in place otherwise); "created" otherwise. Re-importing an export therefore
changes nothing.
"""

from __future__ import annotations

import hashlib
import zipfile
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from zhifa.common.audit import audit_record
from zhifa.people.models import Domain
from zhifa.questions import citations, content, jsonl, services, spreadsheet, wordfile
from zhifa.questions.content import QuestionData
from zhifa.questions.models import KnowledgePoint, Option, Question, QuestionBank, QuestionImport
from zhifa.questions.spreadsheet import ParsedRow, RowError

MAX_FILE_BYTES = 32 * 1024 * 1024
BATCH = 500


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)
    by_type: Counter = field(default_factory=Counter)
    by_use: Counter = field(default_factory=Counter)
    unresolved: list[dict] = field(default_factory=list)  # {"row", "key", "note"}: kept as text, flagged for review
    dry_run: bool = False

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": self.errors,
            "by_type": dict(sorted(self.by_type.items())),
            "by_use": dict(sorted(self.by_use.items())),
            "unresolved": self.unresolved,
        }


def detect_format(filename: str, blob: bytes) -> str:
    """ "docx" for a Word file, "xlsx" for another zip (or an .xlsx name), else "jsonl"."""
    if filename.lower().endswith(".docx") or (blob[:2] == b"PK" and b"word/document.xml" in blob[:65536]):
        return "docx"
    return "xlsx" if blob[:2] == b"PK" or filename.lower().endswith((".xlsx", ".xlsm")) else "jsonl"


def parse(blob: bytes, fmt: str) -> spreadsheet.ParsedFile:
    if len(blob) > MAX_FILE_BYTES:
        parsed = spreadsheet.ParsedFile()
        parsed.errors.append(RowError(0, "", f"文件超过 {MAX_FILE_BYTES // 1024 // 1024} MB，请拆分成多个文件上传。"))
        return parsed
    try:
        if fmt == "docx":
            return wordfile.read_document(blob)
        return spreadsheet.read_workbook(blob) if fmt == "xlsx" else jsonl.read_lines(blob)
    except (zlib.error, zipfile.BadZipFile, EOFError):  # a damaged member of the archive, found while reading it
        parsed = spreadsheet.ParsedFile()
        name = "Word" if fmt == "docx" else "Excel"
        parsed.errors.append(RowError(0, "", f"文件已损坏，无法读取：请在 {name} 中打开后重新“另存为”再上传。"))
        return parsed


class _Resolver:
    """Knowledge points by code, unique name or path of names ("法律知识/行政处罚程序"); domains by code or name."""

    def __init__(self) -> None:
        points = list(KnowledgePoint.objects.all())
        by_id = {p.pk: p for p in points}
        names: dict[str, list[str]] = defaultdict(list)
        self.points: dict[str, str] = {}
        for point in points:
            self.points[point.code] = point.code
            names[point.name].append(point.code)
            trail = [by_id[int(pk)].name for pk in point.path.strip("/").split("/") if pk and int(pk) in by_id]
            self.points["/".join(trail)] = point.code
        for name, codes in names.items():
            self.points.setdefault(name, codes[0] if len(codes) == 1 else "")
        self.domains = {d.code: d.code for d in Domain.objects.all()} | {d.name: d.code for d in Domain.objects.all()}

    def resolve(self, data: QuestionData, row: int, errors: list[RowError]) -> QuestionData:
        points, domains = [], []
        for name in data.knowledge_points:
            code = self.points.get(name.replace("＞", "/").replace(">", "/").replace("／", "/"))
            if not code:
                errors.append(
                    RowError(
                        row,
                        "知识点",
                        f"“{name}”不在知识点树中（或重名），请改用已有知识点的名称、代码或“上级/下级”路径。",
                    )
                )
            else:
                points.append(code)
        for name in data.domains:
            code = self.domains.get(name)
            if code is None:
                errors.append(RowError(row, "执法领域", f"“{name}”不是已有的执法领域，请改用已有领域的名称或代码。"))
            else:
                domains.append(code)
        subs = tuple(self.resolve(sub, row, errors) for sub in data.sub_questions)
        return data.with_(knowledge_points=tuple(sorted(set(points))), domains=tuple(sorted(set(domains))),
                          sub_questions=subs)  # fmt: skip


def _check_rows(
    rows: list[ParsedRow], *, pending_citations: bool, report: ImportReport
) -> tuple[list[ParsedRow], list[RowError]]:
    """Resolve names and check every row; a wrong article number of a law the library holds is an error (unless
    pending), keys of laws it does not hold or holds as repealed are listed in `report.unresolved`."""
    resolver, errors, checked = _Resolver(), list[RowError](), list[ParsedRow]()
    for row in rows:
        data = resolver.resolve(row.data, row.row, errors)
        errors.extend(RowError(row.row, content.problem_column(m), m) for m in content.problems(data))
        checked.append(ParsedRow(row.row, data))
    all_keys = [key for row in checked for key in _keys(row.data)]
    wrong, notes = citations.check(all_keys)
    if pending_citations:  # keys the library does not know stay pending (no citation, no review): not listed
        known = citations.known_keys(all_keys)
        notes = {key: note for key, note in notes.items() if key in known}
    for row in checked:
        keys = _keys(row.data)
        mistaken = [key for key in keys if key in wrong]
        if mistaken and not pending_citations:
            errors.append(RowError(row.row, "法条依据", citations.wrong_article_message(mistaken)))
        report.unresolved.extend({"row": row.row, "key": key, "note": notes[key]} for key in keys if key in notes)
    errors.extend(_duplicates_in_file(checked))
    return checked, errors


def _keys(data: QuestionData) -> list[str]:
    return [*data.article_keys, *(key for sub in data.sub_questions for key in sub.article_keys)]


def _duplicates_in_file(rows: list[ParsedRow]) -> list[RowError]:
    errors: list[RowError] = []
    seen_ids: dict[str, int] = {}
    seen_hashes: dict[str, int] = {}
    for row in rows:
        key = row.data.external_id
        if key and key in seen_ids:
            errors.append(RowError(row.row, "编号", f"编号“{key}”与第 {seen_ids[key]} 行重复，请改为不同的编号。"))
        seen_ids.setdefault(key, row.row) if key else None
        digest = content.content_hash(row.data)
        if not key and digest in seen_hashes:
            errors.append(RowError(row.row, "", f"与第 {seen_hashes[digest]} 行完全相同，请删除其中一行。"))
        seen_hashes.setdefault(digest, row.row)
    return errors


def _existing(rows: list[ParsedRow]) -> tuple[dict[str, Question], dict[str, Question]]:
    """Latest top-level questions matching the rows by external id and by content hash."""
    latest = Question.objects.filter(is_latest=True, parent__isnull=True).prefetch_related(*_PREFETCH)
    ids = [r.data.external_id for r in rows if r.data.external_id]
    hashes = [content.content_hash(r.data) for r in rows if not r.data.external_id]
    by_id: dict[str, Question] = {}
    by_hash: dict[str, Question] = {}
    for start in range(0, len(ids), BATCH):
        by_id.update((q.external_id, q) for q in latest.filter(external_id__in=ids[start : start + BATCH]))
    for start in range(0, len(hashes), BATCH):
        by_hash.update((q.content_hash, q) for q in latest.filter(content_hash__in=hashes[start : start + BATCH]))
    return by_id, by_hash


_PREFETCH = ("options", "knowledge_points", "domains", "sub_questions__options", "sub_questions__knowledge_points",
             "sub_questions__domains")  # fmt: skip


def _plan(rows: list[ParsedRow]) -> tuple[list[QuestionData], list[tuple[Question, QuestionData]], int]:
    """(to create, (question, data) to update, unchanged count); each row's use and bank decided."""
    by_id, by_hash = _existing(rows)
    banks = dict(QuestionBank.objects.values_list("pk", "default_use"))
    create, update, unchanged = [], [], 0
    for row in rows:
        data = row.data
        current = by_id.get(data.external_id) if data.external_id else by_hash.get(content.content_hash(data))
        if current is None:
            create.append(services.with_use(data, banks=banks))
            continue
        old = services.data_of(current)
        data = services.with_use(data, previous=old, banks=banks)
        data = data.with_(extra={**old.extra, **data.extra})  # Excel carries no extra fields: keep the stored ones
        same = current.content_hash == content.content_hash(data)
        if same and content.classification(old) == content.classification(data) and old.extra == data.extra:
            unchanged += 1
        else:
            update.append((current, data))
    return create, update, unchanged


def questions_import(
    *,
    blob: bytes,
    fmt: str,
    by=None,
    dry_run: bool = False,
    pending_citations: bool = False,
    status: str = Question.Status.DRAFT,
    bank: QuestionBank | None = None,
) -> ImportReport:
    """Import an Excel, JSONL or Word file; any row error means nothing is written. Returns counts and errors.

    A wrong article number of a law the library holds refuses the row, unless `pending_citations` keeps such keys
    pending; keys of laws the library does not hold (or holds as repealed) are imported as unresolved citations,
    flagged for the stale-content review and listed in the report. Questions go into `bank` (when given) and take
    its default use unless their row states one.
    """
    report = ImportReport(dry_run=dry_run)
    parsed = parse(blob, fmt)
    if bank is not None:
        parsed.rows = [ParsedRow(row.row, row.data.with_(bank=bank.pk)) for row in parsed.rows]
    rows, errors = _check_rows(parsed.rows, pending_citations=pending_citations, report=report)
    errors = parsed.errors + errors
    report.by_type.update(row.data.kind for row in rows)
    if errors:
        report.errors = [e.as_dict() for e in sorted(errors, key=lambda e: e.row)]
        return report
    with transaction.atomic():
        create, update, report.unchanged = _plan(rows)
        report.created, report.updated = len(create), len(update)
        report.by_use.update(data.use for data in create + [data for _, data in update])
        if not dry_run:
            _write(create, update, by=by, status=status, pending=pending_citations)
            audit_record(actor=by, action="question.import", new=report.as_dict() | {"format": fmt})
    return report


def _write(create, update, *, by, status: str, pending: bool) -> None:
    # every row was checked (citations included) before: the services refuse nothing new
    for current, data in update:
        services.question_update(question=current, by=by, data=data, pending_citations=pending)
    simple = [data for data in create if not data.sub_questions]
    for data in create:
        if data.sub_questions:
            services.question_create(data=data, by=by, status=status, pending_citations=pending)
    for start in range(0, len(simple), BATCH):
        _bulk_create(simple[start : start + BATCH], by=by, status=status, pending=pending)


def _author(by):
    return by if getattr(by, "is_authenticated", False) else None


def _bulk_create(datas: list[QuestionData], *, by, status: str, pending: bool) -> None:
    """Insert many plain questions with few queries (the per-question service would take ~8 each)."""
    author = _author(by)
    published_at = timezone.now() if status in (Question.Status.PUBLISHED, Question.Status.RETIRED) else None
    rows = Question.objects.bulk_create([
        Question(kind=d.kind, stem=d.stem, answer=content.canonical_answer(d.kind, d.answer),
                 explanation=d.explanation, difficulty=d.difficulty, status=status, author=author, version=1,
                 is_latest=True, source=d.source, external_id=d.external_id, stem_hash=content.stem_hash(d.stem),
                 content_hash=content.content_hash(d), article_keys=list(d.article_keys), extra=d.extra,
                 use=d.use or Question.Use.BOTH, bank_id=d.bank, published_at=published_at)
        for d in datas
    ])  # fmt: skip
    Question.objects.filter(pk__in=[q.pk for q in rows]).update(lineage=F("pk"))
    Option.objects.bulk_create(
        [Option(question=q, label=label, text=text, position=i)
         for q, d in zip(rows, datas, strict=True) for i, (label, text) in enumerate(d.options.items())]
    )  # fmt: skip
    points = dict(KnowledgePoint.objects.values_list("code", "pk"))
    domains = dict(Domain.objects.values_list("code", "pk"))
    kp_through, domain_through = Question.knowledge_points.through, Question.domains.through
    kp_through.objects.bulk_create(
        [kp_through(question_id=q.pk, knowledgepoint_id=points[c]) for q, d in zip(rows, datas, strict=True)
         for c in d.knowledge_points]
    )  # fmt: skip
    domain_through.objects.bulk_create(
        [domain_through(question_id=q.pk, domain_id=domains[c]) for q, d in zip(rows, datas, strict=True)
         for c in d.domains]
    )  # fmt: skip
    for question, data in zip(rows, datas, strict=True):
        if data.article_keys:
            citations.cite(question, data.article_keys, by=author, pending=pending)


# --- the upload → preview → confirm flow of the import page --------------------------------------------------------


class ImportNotReady(ValueError):
    """The batch cannot be confirmed (being checked, already imported, or with errors)."""


def question_import_upload(
    *, upload, by, pending_citations: bool = False, bank: QuestionBank | None = None
) -> QuestionImport:
    """Store an uploaded file as a batch to be checked (by the task `question_import_check_task`) into `bank`."""
    blob = upload.read(MAX_FILE_BYTES + 1)
    fmt = detect_format(upload.name, blob)
    batch = QuestionImport(
        uploaded_by=by,
        filename=upload.name[:255],
        format=fmt,
        sha256=hashlib.sha256(blob).hexdigest(),
        summary={"pending_citations": pending_citations} | ({"bank": bank.pk, "bank_name": bank.name} if bank else {}),
    )
    batch.file.save(f"{batch.sha256[:16]}.{fmt}", ContentFile(blob), save=False)
    batch.save()
    return batch


def _read(batch: QuestionImport) -> bytes:
    with batch.file.open("rb") as handle:
        return handle.read()


def _bank(batch: QuestionImport) -> QuestionBank | None:
    bank_id = batch.summary.get("bank")
    return QuestionBank.objects.filter(pk=bank_id).first() if bank_id else None


def _record(batch: QuestionImport, report: ImportReport, *, ok_status: str) -> None:
    kept = {k: batch.summary[k] for k in ("pending_citations", "bank", "bank_name") if k in batch.summary}
    batch.errors = report.errors
    batch.summary = {k: v for k, v in report.as_dict().items() if k != "errors"} | kept
    batch.status = QuestionImport.Status.FAILED if report.errors else ok_status


def question_import_check(*, batch: QuestionImport) -> QuestionImport:
    """The dry run of a stored batch: counts and row errors; previewed (awaiting confirmation) or failed."""
    report = questions_import(blob=_read(batch), fmt=batch.format, dry_run=True, bank=_bank(batch),
                              pending_citations=batch.summary.get("pending_citations", False))  # fmt: skip
    _record(batch, report, ok_status=QuestionImport.Status.PREVIEWED)
    batch.save(update_fields=["errors", "summary", "status"])
    return batch


@transaction.atomic
def question_import_confirm(*, batch: QuestionImport, by, publish: bool = False) -> QuestionImport:
    """Mark a previewed batch for import (by `question_import_run_task`); raises ImportNotReady otherwise."""
    batch = QuestionImport.objects.select_for_update().get(pk=batch.pk)
    if batch.status != QuestionImport.Status.PREVIEWED:
        raise ImportNotReady("该批次正在检查、已导入或有错误，不能确认导入；如需导入请重新上传文件。")
    batch.status = QuestionImport.Status.IMPORTING
    batch.summary = batch.summary | {"publish": publish, "confirmed_by": by.pk}
    batch.save(update_fields=["status", "summary"])
    return batch


def question_import_commit(*, batch: QuestionImport) -> QuestionImport:
    """Import a confirmed batch all or nothing; rows are checked again (the bank may have changed since)."""
    with transaction.atomic():
        batch = QuestionImport.objects.select_for_update().get(pk=batch.pk)
        if batch.status != QuestionImport.Status.IMPORTING:
            raise ImportNotReady("该批次未确认导入。")
        publish = batch.summary.get("publish", False)
        report = questions_import(
            blob=_read(batch), fmt=batch.format, by=batch.uploaded_by,
            pending_citations=batch.summary.get("pending_citations", False),
            status=Question.Status.PUBLISHED if publish else Question.Status.DRAFT, bank=_bank(batch),
        )  # fmt: skip
        _record(batch, report, ok_status=QuestionImport.Status.COMMITTED)
        batch.committed_at = None if report.errors else timezone.now()
        batch.save()
    return batch
