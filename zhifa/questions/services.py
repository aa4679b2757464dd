"""Writes to the question bank: create, update (a new version once published), publish, retire, tag, cite.

Versioning rule: a row that has ever been published is never edited. Changing its content (kind, stem, options,
answer, explanation, difficulty, sub-questions) makes a new row with version + 1 in the same lineage, which takes
over `is_latest` and the status of the row it replaces; exams and practice keep pointing at the row they used.
Classification — knowledge points, domains, cited articles — changes in place on the latest row (bulk tagging).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from zhifa.common.audit import audit_record
from zhifa.people.models import Domain
from zhifa.questions import citations, content
from zhifa.questions.content import QuestionData
from zhifa.questions.models import KnowledgePoint, Option, Question, QuestionBank


class QuestionInvalid(ValueError):
    """The question cannot be stored as given; `messages` are Chinese sentences naming each fix."""

    def __init__(self, messages: Sequence[str]):
        self.messages = list(messages)
        super().__init__("；".join(self.messages))


# --- building QuestionData from service arguments -----------------------------------------------------------------


def question_data(
    *,
    kind: str,
    stem: str,
    answer: Any,
    options: dict[str, str] | Sequence[str] | None = None,
    explanation: str = "",
    difficulty: int = 3,
    knowledge_points: Iterable[KnowledgePoint | str] = (),
    domains: Iterable[Domain | str] = (),
    article_keys: Iterable[str] = (),
    source: str = "",
    external_id: str = "",
    extra: dict | None = None,
    sub_questions: Iterable[dict | QuestionData] = (),
    use: str = "",
    bank: QuestionBank | int | None = None,
) -> QuestionData:
    """A QuestionData from loose arguments: options as a list or dict, objects or codes, the stem sanitised."""
    if isinstance(options, dict):
        option_map = {str(k).strip().upper(): content.clean_text(str(v)).strip() for k, v in options.items()}
    else:
        option_map = {
            label: content.clean_text(str(t)).strip() for label, t in zip("ABCDEFGH", options or [], strict=False)
        }
    return QuestionData(
        kind=kind,
        stem=content.stem_html(stem),
        answer=content.canonical_answer(kind, answer),
        options=option_map,
        explanation=content.clean_text(explanation).strip(),
        difficulty=difficulty,
        knowledge_points=tuple(sorted({kp.code if isinstance(kp, KnowledgePoint) else kp for kp in knowledge_points})),
        domains=tuple(sorted({d.code if isinstance(d, Domain) else d for d in domains})),
        article_keys=tuple(dict.fromkeys(content.article_key(key) or key for key in article_keys)),
        source=source,
        external_id=external_id,
        extra=dict(extra or {}),
        sub_questions=tuple(s if isinstance(s, QuestionData) else question_data(**s) for s in sub_questions),
        use=use,
        bank=bank.pk if isinstance(bank, QuestionBank) else bank,
    )


def with_use(data: QuestionData, *, previous: QuestionData | None = None, banks: dict | None = None) -> QuestionData:
    """The data with its use and bank decided: a use the data states wins, then the bank's default use, then the
    previous version's use (an update), then "both"; no bank stated keeps the previous one."""
    bank = data.bank if data.bank is not None else (previous.bank if previous else None)
    use = data.use
    if not use and data.bank is not None:
        defaults = banks if banks is not None else dict(QuestionBank.objects.values_list("pk", "default_use"))
        use = defaults.get(data.bank, "")
    use = use or (previous.use if previous else "") or Question.Use.BOTH
    return data.with_(use=use, bank=bank)


def data_of(question: Question) -> QuestionData:
    """The QuestionData of a stored row (for versioning, hashing and export)."""
    subs = sorted(question.sub_questions.all(), key=lambda s: s.position) if question.kind == "case" else []
    return QuestionData(
        kind=question.kind,
        stem=question.stem,
        answer=question.answer,
        options={o.label: o.text for o in sorted(question.options.all(), key=lambda o: o.position)},
        explanation=question.explanation,
        difficulty=question.difficulty,
        knowledge_points=tuple(sorted(kp.code for kp in question.knowledge_points.all())),
        domains=tuple(sorted(d.code for d in question.domains.all())),
        article_keys=tuple(question.article_keys),
        source=question.source,
        external_id=question.external_id,
        extra=dict(question.extra),
        sub_questions=tuple(data_of(sub) for sub in subs),
        use=question.use,
        bank=question.bank_id,
    )


# --- storing ------------------------------------------------------------------------------------------------------


def _check(data: QuestionData, *, pending_citations: bool, already_pending: Sequence[str] = ()) -> None:
    messages = content.problems(data)
    messages += _unknown_codes(KnowledgePoint, data.knowledge_points, "知识点")
    messages += _unknown_codes(Domain, data.domains, "执法领域")
    if not pending_citations:
        # keys kept pending before (e.g. from the seed or an import) may stay; only new wrong article numbers of laws
        # the library holds are refused (keys of laws it does not hold are kept unresolved, flagged for review)
        keys = [*data.article_keys, *(key for sub in data.sub_questions for key in sub.article_keys)]
        wrong = [key for key in citations.check(keys)[0] if key not in already_pending]
        if wrong:
            messages.append(citations.wrong_article_message(wrong))
    if messages:
        raise QuestionInvalid(messages)


def _unknown_codes(model, codes: Sequence[str], what: str) -> list[str]:
    known = set(model.objects.filter(code__in=codes).values_list("code", flat=True))
    missing = [code for code in codes if code not in known]
    return [f"{what}代码 {'、'.join(missing)} 不存在，请先在{what}中添加或改用已有的代码。"] if missing else []


def _store(
    data: QuestionData,
    *,
    by,
    status: str,
    previous: Question | None = None,
    parent: Question | None = None,
    position: int = 0,
    pending: bool = False,
) -> Question:
    """Insert one row (and its options, tags, citations, sub-questions); `previous` is the version it replaces."""
    question = Question.objects.create(
        kind=data.kind,
        stem=data.stem,
        answer=content.canonical_answer(data.kind, data.answer),
        explanation=data.explanation,
        difficulty=data.difficulty,
        status=status,
        author=by if _is_user(by) else None,
        lineage=previous.lineage if previous else None,
        version=previous.version + 1 if previous else 1,
        is_latest=True,
        parent=parent,
        position=position,
        source=data.source,
        external_id=data.external_id,
        stem_hash=content.stem_hash(data.stem),
        content_hash=content.content_hash(data),
        article_keys=list(data.article_keys),
        extra=data.extra,
        use=parent.use if parent else (data.use or Question.Use.BOTH),
        bank_id=parent.bank_id if parent else data.bank,
        published_at=timezone.now() if status in (Question.Status.PUBLISHED, Question.Status.RETIRED) else None,
    )
    if previous is None:
        Question.objects.filter(pk=question.pk).update(lineage=question)
        question.lineage = question
    _add_options(question, data.options)
    _classify(question, data, by=by, pending=pending)
    old_subs = {sub.position: sub for sub in previous.sub_questions.all()} if previous else {}
    if previous is not None and old_subs:
        previous.sub_questions.update(is_latest=False)
    for sub_position, sub in enumerate(data.sub_questions, start=1):
        _store(sub, by=by, status=status, parent=question, position=sub_position, previous=old_subs.get(sub_position),
               pending=pending)  # fmt: skip
    return question


def _add_options(question: Question, options: dict[str, str]) -> None:
    Option.objects.bulk_create(
        [
            Option(question=question, label=label, text=text, position=i)
            for i, (label, text) in enumerate(options.items())
        ]
    )


def _classify(question: Question, data: QuestionData, *, by, pending: bool = False) -> None:
    question.knowledge_points.set(KnowledgePoint.objects.filter(code__in=data.knowledge_points))
    question.domains.set(Domain.objects.filter(code__in=data.domains))
    citations.cite(question, data.article_keys, by=by if _is_user(by) else None, pending=pending)


def _is_user(by) -> bool:
    return bool(getattr(by, "is_authenticated", False))


@transaction.atomic
def question_create(
    *,
    by=None,
    status: str = Question.Status.DRAFT,
    pending_citations: bool = False,
    data: QuestionData | None = None,
    **fields: Any,
) -> Question:
    """Add a question (with options, tags, citations, sub-questions) from `data` or the fields of `question_data`.

    Raises QuestionInvalid (Chinese messages) for incomplete content, unknown knowledge point or domain codes, and
    wrong article numbers of laws the library holds — unless `pending_citations`, which keeps those as pending.
    """
    data = with_use(data if data is not None else question_data(**fields))
    _check(data, pending_citations=pending_citations)
    question = _store(data, by=by, status=status, pending=pending_citations)
    if status == Question.Status.PUBLISHED:
        audit_record(actor=by, action="question.publish", obj=question, new={"version": 1})
    return question


@transaction.atomic
def question_update(
    *, question: Question, by, pending_citations: bool = False, data: QuestionData | None = None, **changes: Any
) -> Question:
    """Change a question; returns the row now holding the change — a new version when the row was ever published.

    `changes` are fields of `question_data` (or `data` is the whole new content). Raises QuestionInvalid for bad
    content or when `question` is not the latest version of its lineage.
    """
    question = Question.objects.select_for_update().get(pk=question.pk)
    if not question.is_latest or question.parent_id:
        raise QuestionInvalid(["只能修改试题的最新版本；案例分析题的小题请在案例题中修改。"])
    old = data_of(question)
    new = with_use(data if data is not None else _merged(old, changes), previous=old)
    _check(new, pending_citations=pending_citations, already_pending=old.article_keys)
    if content.content_hash(new) == question.content_hash:
        if content.classification(new) != content.classification(old) or new.extra != old.extra:
            _reclassify(question, new, by=by, pending=pending_citations)
        return question
    if question.published_at is None:
        return _rewrite_draft(question, new, by=by, pending=pending_citations)
    Question.objects.filter(lineage=question.lineage, is_latest=True).update(is_latest=False)
    successor = _store(new, by=by, status=question.status, previous=question, pending=pending_citations)
    audit_record(
        actor=by,
        action="question.version",
        obj=successor,
        old={"id": question.pk, "version": question.version},
        new={"version": successor.version},
    )
    return successor


def _merged(old: QuestionData, changes: dict[str, Any]) -> QuestionData:
    fields = {
        "kind": old.kind,
        "stem": old.stem,
        "answer": old.answer,
        "options": old.options,
        "explanation": old.explanation,
        "difficulty": old.difficulty,
        "knowledge_points": old.knowledge_points,
        "domains": old.domains,
        "article_keys": old.article_keys,
        "source": old.source,
        "external_id": old.external_id,
        "extra": old.extra,
        "sub_questions": old.sub_questions,
        "use": old.use,
        "bank": old.bank,
    }
    fields.update(changes)
    return question_data(**fields)


def _reclassify(question: Question, data: QuestionData, *, by, pending: bool = False) -> None:
    question.article_keys = list(data.article_keys)
    question.extra = data.extra
    question.use, question.bank_id = data.use, data.bank
    question.save(update_fields=["article_keys", "extra", "use", "bank", "updated_at"])
    question.sub_questions.update(use=data.use, bank_id=data.bank)
    _classify(question, data, by=by, pending=pending)


def _rewrite_draft(question: Question, data: QuestionData, *, by, pending: bool = False) -> Question:
    """A never-published row is edited in place (its sub-questions are replaced)."""
    question.sub_questions.all().delete()
    question.options.all().delete()
    question.kind, question.stem, question.explanation = data.kind, data.stem, data.explanation
    question.answer = content.canonical_answer(data.kind, data.answer)
    question.difficulty, question.source, question.external_id = data.difficulty, data.source, data.external_id
    question.stem_hash, question.content_hash = content.stem_hash(data.stem), content.content_hash(data)
    question.article_keys, question.extra = list(data.article_keys), data.extra
    question.use, question.bank_id = data.use, data.bank
    question.save()
    _add_options(question, data.options)
    _classify(question, data, by=by, pending=pending)
    for position, sub in enumerate(data.sub_questions, start=1):
        _store(sub, by=by, status=question.status, parent=question, position=position, pending=pending)
    return question


# --- status -------------------------------------------------------------------------------------------------------


def _set_status(question: Question, status: str, *, by, reason: str = "") -> Question:
    question = Question.objects.select_for_update().get(pk=question.pk)
    if question.parent_id:
        raise QuestionInvalid(["小题随案例分析题一起发布或停用。"])
    if not question.is_latest:
        raise QuestionInvalid(["这是旧版本，只能对最新版本发布或停用。"])
    old_status = question.status
    if old_status == status:
        return question
    now = timezone.now()
    rows = Question.objects.filter(pk=question.pk) | Question.objects.filter(parent=question)
    if status == Question.Status.PUBLISHED:
        rows.filter(published_at__isnull=True).update(published_at=now)
    rows.update(status=status, updated_at=now)
    question.refresh_from_db()
    audit_record(
        actor=by,
        action=f"question.{status}",
        obj=question,
        old={"status": old_status},
        new={"status": status},
        reason=reason,
    )
    return question


@transaction.atomic
def question_submit_review(*, question: Question, by) -> Question:
    """Draft → in review. Raises QuestionInvalid when the question is not a draft."""
    if question.status != Question.Status.DRAFT:
        raise QuestionInvalid(["只有草稿可以提交审核。"])
    return _set_status(question, Question.Status.REVIEW, by=by)


@transaction.atomic
def question_publish(*, question: Question, by) -> Question:
    """Make the latest version available to exams and practice; raises QuestionInvalid when it is incomplete."""
    messages = content.problems(data_of(question))
    if messages:
        raise QuestionInvalid(messages)
    return _set_status(question, Question.Status.PUBLISHED, by=by)


@transaction.atomic
def question_retire(*, question: Question, by, reason: str = "") -> Question:
    """Take a question out of new exams and practice (papers that used it keep it)."""
    return _set_status(question, Question.Status.RETIRED, by=by, reason=reason)


# --- tagging and citations ----------------------------------------------------------------------------------------


@transaction.atomic
def questions_tag(
    *,
    questions: Iterable[Question],
    by,
    add_knowledge_points: Iterable[KnowledgePoint] = (),
    remove_knowledge_points: Iterable[KnowledgePoint] = (),
    add_domains: Iterable[Domain] = (),
    remove_domains: Iterable[Domain] = (),
) -> int:
    """Add and remove knowledge points and domains on many questions at once (in place); returns how many."""
    ids = [q.pk for q in questions]
    add_kp, remove_kp = list(add_knowledge_points), list(remove_knowledge_points)
    add_d, remove_d = list(add_domains), list(remove_domains)
    kp_through, domain_through = Question.knowledge_points.through, Question.domains.through
    kp_through.objects.filter(question_id__in=ids, knowledgepoint__in=remove_kp).delete()
    domain_through.objects.filter(question_id__in=ids, domain__in=remove_d).delete()
    kp_through.objects.bulk_create(
        [kp_through(question_id=q, knowledgepoint_id=kp.pk) for q in ids for kp in add_kp], ignore_conflicts=True
    )
    domain_through.objects.bulk_create(
        [domain_through(question_id=q, domain_id=d.pk) for q in ids for d in add_d], ignore_conflicts=True
    )
    audit_record(
        actor=by,
        action="question.tag",
        new={
            "questions": ids,
            "add_knowledge_points": [k.code for k in add_kp],
            "remove_knowledge_points": [k.code for k in remove_kp],
            "add_domains": [d.code for d in add_d],
            "remove_domains": [d.code for d in remove_d],
        },
    )
    return len(ids)


@transaction.atomic
def question_citations_refresh(*, by=None) -> int:
    """Cite the pending article keys of latest questions that the law library now knows; returns how many rows."""
    refreshed = 0
    for question in Question.objects.filter(is_latest=True).exclude(article_keys=[]).iterator():
        if citations.pending_keys(question) and citations.cite(question, question.article_keys, by=by, pending=True):
            refreshed += 1
    return refreshed


# --- knowledge points ---------------------------------------------------------------------------------------------


@transaction.atomic
def knowledge_point_ensure(
    *, code: str, name: str, parent: KnowledgePoint | None = None, position: int = 0
) -> KnowledgePoint:
    """Create the knowledge point, or update its name, parent and position; keeps `path` right."""
    point, _ = KnowledgePoint.objects.update_or_create(
        code=code, defaults={"name": name, "parent": parent, "position": position}
    )
    path = f"{parent.path if parent else '/'}{point.pk}/"
    if point.path != path:
        point.path = path
        point.save(update_fields=["path"])
    return point


# --- banks ----------------------------------------------------------------------------------------------------------


@transaction.atomic
def question_bank_save(
    *, by, name: str, default_use: str, description: str = "", bank: QuestionBank | None = None
) -> QuestionBank:
    """Create a bank or change its name, description and default use (questions already in it keep theirs);
    audited. Raises QuestionInvalid for an empty or taken name or an unknown use."""
    name = name.strip()
    if not name:
        raise QuestionInvalid(["请填写题库名称。"])
    if default_use not in Question.Use.values:
        raise QuestionInvalid(["默认用途应为练习、考试或两者。"])
    taken = QuestionBank.objects.filter(name=name)
    if (taken.exclude(pk=bank.pk) if bank else taken).exists():
        raise QuestionInvalid([f"已有名为“{name}”的题库，请换一个名称。"])
    old = {"name": bank.name, "default_use": bank.default_use} if bank else None
    bank = bank or QuestionBank(created_by=by if _is_user(by) else None)
    bank.name, bank.description, bank.default_use = name, description.strip(), default_use
    bank.save()
    audit_record(actor=by, action="question_bank.save", obj=bank, old=old,
                 new={"name": bank.name, "default_use": bank.default_use})  # fmt: skip
    return bank
