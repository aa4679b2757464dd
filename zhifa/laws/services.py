"""Writes of the law library: importing law texts, citations of articles, stale-content flags.

Other apps use only `citation_set`, `article_get` and `UnknownArticle` (and `article_key_normalize`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone

from zhifa.common.audit import audit_record
from zhifa.common.text import canonical_article_label, normalize_text, normalize_whitespace
from zhifa.laws import diff
from zhifa.laws.classify import classify, folder_kind
from zhifa.laws.models import UNKNOWN_DATE, Citation, Law, LawVersion, Provision
from zhifa.laws.parser import PLAIN_KINDS, Node, ParsedLaw, parse_law, short_title


class UnknownArticle(LookupError):
    """An article key that names no article of the library; the message (Chinese) names the key and the fix."""

    def __init__(self, key: str, reason: str = ""):
        self.key = key
        hint = "请检查法规简称和条号（格式如“行政处罚法#第三十二条”），或先在法规库中导入该法规"
        super().__init__(f"未找到条文“{key}”：{reason + '；' if reason else ''}{hint}")


class ImportConflict(ValueError):
    """The library already holds a different text for the same law and date (Chinese message with the fix)."""


PLAIN_NOTE = {"court_case": "裁判案例，不分版本，无版本日期", "guide": "指南与问答，不分版本，无版本日期"}


@dataclass(frozen=True)
class ImportResult:
    status: str  # created | updated | unchanged
    version: LawVersion
    articles: int
    warnings: tuple[str, ...] = ()  # imported anyway: gaps in the article numbering, a date to confirm

    def as_dict(self) -> dict:
        law = self.version.law
        return {
            "title": law.title,
            "short_title": law.short_title,
            "version_date": self.version.version_date.isoformat(),
            "articles": self.articles,
            "status": self.status,
            "date_pending": not self.version.date_confirmed,
            "warnings": list(self.warnings),
            # A court case or a guide: no law, kept as paragraphs without a date (the report says which).
            "kind": law.get_category_display() if law.category in PLAIN_KINDS else "",
        }


def _search_index_hook(version: LawVersion) -> None:
    """Hand a new version to the search engine, when the search package offers an indexing hook."""
    try:
        from zhifa.laws.search import index_version
    except ImportError:  # the search package is optional and may not provide the hook yet
        return
    index_version(version)


# Functions called with each created or updated version, inside the import transaction.
POST_IMPORT_HOOKS: list[Callable[[LawVersion], None]] = [_search_index_hook]


def article_key_normalize(key: str) -> str:
    """The canonical form of an article key: 中华人民共和国行政处罚法 # 第32条 → 行政处罚法#第三十二条.

    Raises UnknownArticle when the key has no "#" or no article number after it.
    """
    title, sep, label = normalize_whitespace(key).partition("#")
    if not sep or not title.strip():
        raise UnknownArticle(key, "条文键应为“法规简称#第X条”")
    try:
        label = canonical_article_label(label)
    except ValueError as exc:
        raise UnknownArticle(key, str(exc)) from exc
    return f"{short_title(title)}#{label}"


def article_get(key: str) -> Provision:
    """The article of the current version named by `key` (行政处罚法#第三十二条); raises UnknownArticle."""
    canonical = article_key_normalize(key)
    article = (
        Provision.objects.select_related("version__law")
        .filter(key=canonical, kind=Provision.Kind.ARTICLE, version__is_current=True)
        .first()
    )
    if article is not None:
        return article
    law_name = canonical.partition("#")[0]
    current = LawVersion.objects.filter(law__short_title=law_name, is_current=True).first()
    if current is None:
        raise UnknownArticle(key, f"法规库中没有《{law_name}》")
    raise UnknownArticle(
        key, f"《{law_name}》现行版本（{current.version_date:%Y-%m-%d}）共{current.article_count}条，没有该条"
    )


@transaction.atomic
def citation_set(
    *, obj: models.Model, article_keys: Sequence[str], by=None, review: Mapping[str, str] | None = None
) -> list[Citation]:
    """Make `obj` cite exactly these articles (current versions); raises UnknownArticle and changes nothing.

    Citations kept from before keep their version and review state; new ones point at the current version.
    `review` maps keys to a note: those new citations are flagged for review (内容时效) with it, and a key among
    them that names no article of the library is kept without a version (unresolved: a repealed or absent law)
    instead of raising. An unresolved citation whose article has since been imported is cited afresh.
    """
    review = dict(review or {})
    articles: dict[str, Provision | None] = {}
    for key in article_keys:
        try:
            article = article_get(key)
        except UnknownArticle:
            if key not in review:
                raise
            articles[key] = None
        else:
            articles[article.key] = article
    content_type = ContentType.objects.get_for_model(obj)
    existing = Citation.objects.filter(content_type=content_type, object_id=obj.pk)
    resolved_now = [key for key, article in articles.items() if article is not None]
    existing.exclude(article_key__in=list(articles)).delete()
    existing.filter(version__isnull=True, article_key__in=resolved_now).delete()
    kept = set(existing.values_list("article_key", flat=True))
    created_by = by if getattr(by, "is_authenticated", False) else None
    Citation.objects.bulk_create(
        [
            Citation(
                content_type=content_type,
                object_id=obj.pk,
                article_key=key,
                version=article.version if article else None,
                created_by=created_by,
                needs_review=key in review,
                review_note=review.get(key, ""),
            )
            for key, article in articles.items()
            if key not in kept
        ]
    )
    order = {key: index for index, key in enumerate(articles)}
    return sorted(existing.select_related("version__law"), key=lambda c: order[c.article_key])


@transaction.atomic
def citation_review_done(*, citation: Citation, by) -> Citation:
    """Mark a flagged citation as reviewed: it now cites the current version of its article."""
    try:
        article = article_get(citation.article_key)
    except UnknownArticle:
        article = None
    citation.needs_review = False
    citation.review_note = ""
    citation.version = article.version if article else citation.version
    citation.save(update_fields=["needs_review", "review_note", "version"])
    audit_record(actor=by, action="laws.citation_reviewed", obj=citation, new={"article_key": citation.article_key})
    return citation


def text_checksum(text: str) -> str:
    """SHA-256 of the whitespace-normalised text: the same law saved in another encoding or layout is unchanged."""
    return hashlib.sha256(normalize_text(text).encode("utf-8")).hexdigest()


def _law_for(parsed: ParsedLaw, *, folders: Sequence[str], category: str | None, region: str | None) -> Law:
    found = classify(title=parsed.title, history=parsed.history, folders=folders)
    category = category or (parsed.document_kind if parsed.document_kind in PLAIN_KINDS else None)
    law = Law.objects.filter(title=parsed.title).first()
    if law is None:
        short = short_title(parsed.title)
        if Law.objects.filter(short_title=short).exists():
            short = parsed.title  # another law already uses this short title; the full title stays unique
        law = Law(title=parsed.title, short_title=short)
    law.category = category or found.category
    law.region = found.region if region is None else region
    law.issuing_body = law.issuing_body or found.issuing_body[:100]
    law.save()
    return law


def _provision_rows(parsed: ParsedLaw, version: LawVersion, short: str) -> list[list[tuple[Provision, Node | None]]]:
    """Provisions level by level (parents first), each with the parse node of its parent."""
    levels: list[list[tuple[Provision, Node | None]]] = []
    position = 0

    def visit(node: Node, depth: int, parent_node: Node | None) -> None:
        nonlocal position
        position += 1
        text = node.article_text() if node.kind == "article" else node.text
        row = Provision(
            version=version,
            kind=node.kind,
            position=position,
            label=node.label[:40],
            number=node.number,
            heading=node.heading[:200],
            text=text,
            key=f"{short}#{node.label}" if node.kind == "article" else "",
        )
        while len(levels) <= depth:
            levels.append([])
        levels[depth].append((row, parent_node))
        rows_by_node[id(node)] = row
        for child in node.children:
            visit(child, depth + 1, node)

    rows_by_node: dict[int, Provision] = {}
    # 序言 and opening sentences: top-level paragraphs, shown before the body.
    preamble = [Node(kind="paragraph", text=line) for kind, line in parsed.front if kind == "preamble"]
    for top in [*preamble, *parsed.body]:
        visit(top, 0, None)
    for level in levels:
        for row, parent_node in level:
            row.parent = rows_by_node[id(parent_node)] if parent_node is not None else None
    return levels


def _provisions_create(parsed: ParsedLaw, version: LawVersion) -> int:
    levels = _provision_rows(parsed, version, version.law.short_title)
    for level in levels:
        # bulk_create sets primary keys on SQLite and PostgreSQL, so the next level can point at its parents.
        Provision.objects.bulk_create([row for row, _ in level], batch_size=2000)
    return sum(1 for level in levels for row, _ in level if row.kind == Provision.Kind.ARTICLE)


def _version_articles(version: LawVersion) -> list[diff.Article]:
    rows = version.provisions.filter(kind=Provision.Kind.ARTICLE).order_by("position").values_list("label", "text")
    return [diff.Article(label, text) for label, text in rows]


def versions_refresh(*, law: Law, today: dt.date | None = None) -> LawVersion | None:
    """Set status and is_current of every version of a law; return the current one (None without versions).

    Current is the newest version in force today; newer ones are 尚未生效, older ones 已修改.
    """
    today = today or timezone.localdate()
    versions = list(law.versions.order_by("version_date"))
    in_force = [v for v in versions if (v.effective or v.version_date) <= today]
    current = in_force[-1] if in_force else (versions[0] if versions else None)
    for version in versions:
        if version is current:
            status = LawVersion.Status.IN_FORCE if version in in_force else LawVersion.Status.NOT_YET_EFFECTIVE
        elif current is not None and version.version_date > current.version_date:
            status = LawVersion.Status.NOT_YET_EFFECTIVE
        else:
            status = LawVersion.Status.AMENDED
        if version.status == LawVersion.Status.REPEALED and version is current:
            status = LawVersion.Status.REPEALED  # an administrator's repeal stands
        if (version.status, version.is_current) != (status, version is current):
            version.status, version.is_current = status, version is current
            version.save(update_fields=["status", "is_current", "updated_at"])
    return current


def citations_flag_changes(*, law: Law, old: LawVersion, new: LawVersion) -> int:
    """Flag every citation of an article that `new` changed, moved or removed compared with `old`; the count."""
    changes = diff.compare_articles(_version_articles(old), _version_articles(new))
    name = f"{new.version_date:%Y年%m月%d日}版本"
    flagged = 0
    for change in changes:
        if change.kind in (diff.UNCHANGED, diff.ADDED) or change.old is None:
            continue
        key = f"{law.short_title}#{change.old.label}"
        note = diff.change_note(change, version_name=name)
        flagged += (
            Citation.objects.filter(article_key=key)
            .filter(models.Q(version__isnull=True) | models.Q(version__version_date__lt=new.version_date))
            .update(needs_review=True, review_note=note)
        )
    return flagged


@transaction.atomic
def law_import_text(
    *,
    text: str,
    source_name: str = "",
    folders: Sequence[str] = (),
    version_date: dt.date | None = None,
    category: str | None = None,
    region: str | None = None,
    replace: bool = False,
    by=None,
) -> ImportResult:
    """Import one law text as a version of its law: created, updated (replace=True) or unchanged.

    Raises ParseError for text the parser cannot understand, NotALaw for documents that are no law, and
    ImportConflict when a different text of the same law and date exists and `replace` is not set.
    `version_date` (from the file name or the source's index) wins over the dates of the history lines. A text
    without any date is imported with the date its body names for its entry into force (else UNKNOWN_DATE) and
    `date_confirmed` False, for an administrator to confirm (`version_date_confirm`); the same wording with a
    date later confirms it. A court case or a guide (a file of a 案例 folder, or recognised by the parser) is
    imported as paragraphs under its category, without a date (nothing to confirm: it has no versions).
    A second file of the same law and date whose provisions are the same as the stored ones up to spacing (only
    history lines or layout differ) is `unchanged`, with a warning naming both files.
    """
    parsed = parse_law(text, kind=folder_kind(folders))
    when = version_date or parsed.version_date
    checksum = text_checksum(text)
    law = _law_for(parsed, folders=folders, category=category, region=region)
    warnings = list(parsed.warnings)
    same_text = law.versions.filter(checksum=checksum).order_by("date_confirmed").first()
    if when is None and same_text is not None:
        return ImportResult("unchanged", same_text, same_text.article_count, tuple(warnings))
    if (
        same_text is not None
        and when is not None
        and not same_text.date_confirmed
        and not law.versions.filter(version_date=when).exclude(pk=same_text.pk).exists()
    ):
        confirmed = version_date_confirm(version=same_text, version_date=when, by=by, checked=True)
        return ImportResult("updated", confirmed, confirmed.article_count, tuple(warnings))
    pending_note = plain_note = ""
    if when is None and parsed.document_kind:
        when, plain_note = UNKNOWN_DATE, PLAIN_NOTE.get(parsed.document_kind, "")
    elif when is None:
        when = parsed.date_guess or UNKNOWN_DATE
        pending_note = (
            f"原文无沿革行，按正文“自{when.year}年{when.month}月{when.day}日起施行”推定"
            if parsed.date_guess
            else "原文无任何日期，暂记为"
        ) + f" {when:%Y-%m-%d}，待管理员确认"
        warnings.append(f"版本日期待确认：{pending_note}")
    previous_current = law.versions.filter(is_current=True).first()
    version = law.versions.filter(version_date=when).first()
    if version is not None and version.checksum == checksum:
        return ImportResult("unchanged", version, version.article_count, tuple(warnings))
    if version is not None and not replace:
        if _same_provisions(parsed, version):
            warnings.append(_same_provisions_note(version, source_name))
            return ImportResult("unchanged", version, version.article_count, tuple(warnings))
        raise ImportConflict(_conflict_message(law, version, source_name))
    status = "updated" if version is not None else "created"
    corrected: list[diff.Article] | None = None
    if version is not None:
        corrected = _version_articles(version)
        version.provisions.all().delete()
    else:
        version = LawVersion(law=law, version_date=when)
    version.promulgated, version.amended, version.effective = parsed.promulgated, parsed.amended, parsed.effective
    version.history = "\n".join(parsed.history)
    version.source_name, version.checksum, version.source_text = source_name[:255], checksum, text
    version.date_confirmed, version.date_note = not pending_note, (pending_note or plain_note)[:200]
    version.save()
    version.article_count = _provisions_create(parsed, version)
    version.save(update_fields=["article_count"])
    current = versions_refresh(law=law)
    if corrected is not None:
        _flag_corrected(law, version, corrected)
    elif previous_current is not None and current == version and previous_current.pk != version.pk:
        citations_flag_changes(law=law, old=previous_current, new=version)
    for hook in POST_IMPORT_HOOKS:
        hook(version)
    if by is not None:
        audit_record(
            actor=by,
            action=f"laws.version_{status}",
            obj=version,
            new={"law": law.title, "version_date": when.isoformat(), "articles": version.article_count},
        )
    return ImportResult(status, version, version.article_count, tuple(warnings))


def _provision_signature(rows: Iterable[Sequence[str]]) -> list[tuple[str, ...]]:
    return [(kind, label, "".join(heading.split()), "".join(text.split())) for kind, label, heading, text in rows]


def _same_provisions(parsed: ParsedLaw, version: LawVersion) -> bool:
    """Whether a text has the very provisions of a stored version, up to whitespace (history lines may differ)."""
    rows = sorted(
        (row for level in _provision_rows(parsed, version, version.law.short_title) for row, _ in level),
        key=lambda row: row.position,
    )
    stored = version.provisions.order_by("position").values_list("kind", "label", "heading", "text")
    return _provision_signature((r.kind, r.label, r.heading, r.text) for r in rows) == _provision_signature(stored)


def _same_provisions_note(version: LawVersion, source_name: str) -> str:
    return (
        f"《{version.law.title}》{version.version_date:%Y-%m-%d} 的版本已由“{version.source_name or '另一文件'}”导入，"
        f"本文件（{source_name or '上传文本'}）条文与之完全相同，只有沿革行或排版不同，未重复导入；"
        "如本文件的沿革行更完整，请用“替换”选项（命令行 --replace）重新导入"
    )


def _conflict_message(law: Law, version: LawVersion, source_name: str) -> str:
    where = f"（文件：{source_name or '上传文本'}）"
    if not version.date_confirmed:
        return (
            f"《{law.title}》已有一个日期待确认的版本（暂记 {version.version_date:%Y-%m-%d}），"
            f"但内容与本文件不同{where}；"
            "请先在“法规管理 → 日期待确认”中确认该版本的日期，或在本文件名中注明日期（如“某某条例(2021-01-22).txt”）"
            "后重新导入"
        )
    return (
        f"《{law.title}》已有 {version.version_date:%Y-%m-%d} 的版本，但内容与本文件不同{where}；"
        "如确认以本文件更正该版本，请使用“替换”选项（命令行 --replace）重新导入"
    )


@transaction.atomic
def version_date_confirm(*, version: LawVersion, version_date: dt.date, by, checked: bool = False) -> LawVersion:
    """Set and confirm the date of a version imported without one; the law's current version follows.

    Raises PermissionDenied unless `by` may import laws (or `checked`: the import itself confirms it), and
    ImportConflict when the law already has another version of that date.
    """
    from zhifa.laws.queries import can_import

    if not checked and not can_import(by):
        raise PermissionDenied("只有系统管理员可以确认法规版本的日期")
    law = version.law
    if law.versions.filter(version_date=version_date).exclude(pk=version.pk).exists():
        raise ImportConflict(
            f"《{law.title}》已有 {version_date:%Y-%m-%d} 的版本；请核对日期，同一法规的两个版本不能同一天"
        )
    old = {"version_date": version.version_date.isoformat(), "date_confirmed": version.date_confirmed}
    previous_current = law.versions.filter(is_current=True).first()
    version.version_date, version.date_confirmed, version.date_note = version_date, True, ""
    version.save(update_fields=["version_date", "date_confirmed", "date_note", "updated_at"])
    current = versions_refresh(law=law)
    if previous_current is not None and current == version and previous_current.pk != version.pk:
        citations_flag_changes(law=law, old=previous_current, new=version)
    for hook in POST_IMPORT_HOOKS:
        hook(version)
    if getattr(by, "is_authenticated", False):
        new = {"law": law.title, "version_date": version_date.isoformat(), "date_confirmed": True}
        audit_record(actor=by, action="laws.version_date_confirmed", obj=version, old=old, new=new)
    return version


def _flag_corrected(law: Law, version: LawVersion, old_articles: Iterable[diff.Article]) -> None:
    """A corrected text of the same version: flag citations of the articles whose wording changed."""
    changes = diff.compare_articles(list(old_articles), _version_articles(version))
    for change in changes:
        if change.kind in (diff.UNCHANGED, diff.ADDED) or change.old is None:
            continue
        note = diff.change_note(change, version_name=f"{version.version_date:%Y年%m月%d日}版本的更正文本")
        Citation.objects.filter(article_key=f"{law.short_title}#{change.old.label}").update(
            needs_review=True, review_note=note
        )
