"""Writes of the surveys app: a citizen's response, act-link batches, moderation, held responses, contact reveal."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from zhifa.common.audit import audit_record
from zhifa.common.crypto_provider import get_provider
from zhifa.notices.models import ChannelPreference, Notice
from zhifa.notices.services import NoticeIn, SendError, notices_send, text_send
from zhifa.people import access
from zhifa.people.models import Officer, Role, RoleGrant, Unit, User
from zhifa.surveys import conf, trust
from zhifa.surveys.masking import mask_personal_data
from zhifa.surveys.models import DIMENSIONS, ActBatch, ActLink, AnomalyFlag, Channel, Response
from zhifa.surveys.scoring import response_score
from zhifa.surveys.tokens import LIFETIME, token_make

COMMENT_MAX = 500
CONTACT_MAX = 60
LOW_SCORE = 2.0  # a response at or below this, with a comment, is routed to the unit administrators
SHORT_CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


class SurveyRefused(Exception):
    """The response is refused and nothing was recorded; `message` tells the citizen why (Chinese)."""

    def __init__(self, message: str, *, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


class SurveyError(Exception):
    """An administrator's request cannot be done (Chinese message naming the fix)."""


@dataclass(frozen=True)
class Subject:
    """What a token rates: an officer (with his unit) or a unit; an act link when one-time."""

    kind: str
    unit: Unit
    channel: str
    officer: Officer | None = None
    act_link: ActLink | None = None

    @property
    def target_key(self) -> str:
        return f"o{self.officer.pk}" if self.officer else f"u{self.unit.pk}"

    @property
    def named(self) -> bool:
        """False for a subject taken from a form's stamp (ids only); `subject_named` reads the rest."""
        return bool(self.unit.path)


def subject_named(subject: Subject) -> Subject:
    """The subject with names and the unit's path (read when it came from a form's stamp, with ids only)."""
    if subject.named:
        return subject
    unit = Unit.objects.only("name", "path").get(pk=subject.unit.pk)
    officer = None
    if subject.officer is not None:
        officer = Officer.objects.only("name", "unit_id").get(pk=subject.officer.pk)
        officer.unit = unit
    return replace(subject, unit=unit, officer=officer)


@dataclass(frozen=True)
class Answers:
    ratings: dict[str, int]  # dimension field → 1..5
    comment: str = ""
    contact: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def response_submit(*, subject: Subject, answers: Answers, ip: str, user_agent: str) -> Response:
    """Record a citizen's response; raises SurveyRefused (rate limit, reused link, duplicate). A burst beyond the
    allowance for one officer or unit is recorded as HELD (not counted) and flagged."""
    if set(answers.ratings) != {name for name, _ in DIMENSIONS} or not all(
        1 <= v <= 5 for v in answers.ratings.values()
    ):
        raise SurveyRefused("请为四项评价各选择一个等级（1–5 分）。")
    if len(answers.comment) > COMMENT_MAX or len(answers.contact) > CONTACT_MAX:
        raise SurveyRefused(f"留言不能超过 {COMMENT_MAX} 字，联系方式不能超过 {CONTACT_MAX} 字。")
    device_key = ""
    if subject.act_link is None:
        device_key = trust.device_key(ip=ip, user_agent=user_agent, target=subject.target_key)
    counts = trust.intake_counts(
        client_key=trust.client_key(ip=ip),
        client_limit=conf.client_limit(),
        device_key=device_key,
        target_key=f"target:{subject.target_key}",
        target_window_seconds=conf.burst_window_seconds(),
    )
    if counts.client > conf.client_limit():
        raise SurveyRefused("提交过于频繁，请稍后再试。", status=429)
    if counts.first is False:
        raise SurveyRefused("您今天已经评价过，感谢您的参与。同一设备每天对同一评价对象只计一次。", status=409)
    now = timezone.now()
    held = (counts.target or 0) > conf.burst_allowance()
    try:
        if subject.act_link is None:  # one INSERT: no transaction needed around it
            response = _response_create(subject, answers, device_key=device_key, held=held, now=now)
        else:
            with transaction.atomic():
                if not _act_link_take(subject.act_link, now):
                    raise SurveyRefused("该评价链接已经使用过或已过期，每个链接只能评价一次。", status=409)
                response = _response_create(subject, answers, device_key=device_key, held=held, now=now)
    except IntegrityError:
        raise SurveyRefused("您今天已经评价过，感谢您的参与。同一设备每天对同一评价对象只计一次。", status=409)
    if held:
        _flag_burst(subject_named(subject), now)
    elif response.comment and response.score <= LOW_SCORE:
        subject = subject_named(subject)
        _notify_unit_admins(
            subject.unit,
            key=f"surveys:low:{response.pk}",
            title=f"收到低分评价（{response.score:.1f} 分）：{subject.officer or subject.unit}",
            body="有群众留言，请到满意度调查的留言审核中查看。",
        )
    return response


def _act_link_take(link: ActLink, now) -> bool:
    # One conditional UPDATE decides among concurrent posts: only one finds used_at still empty.
    return ActLink.objects.filter(pk=link.pk, used_at__isnull=True, expires_at__gt=now).update(used_at=now) == 1


def _response_create(subject: Subject, answers: Answers, *, device_key: str, held: bool, now) -> Response:
    comment = mask_personal_data(answers.comment.strip())
    contact = answers.contact.strip()
    ratings = [answers.ratings[name] for name, _ in DIMENSIONS]
    return Response.objects.create(
        officer=subject.officer,
        unit=subject.unit,
        channel=subject.channel,
        act_link=subject.act_link,
        **answers.ratings,
        score=response_score(ratings),
        comment=comment,
        comment_status=Response.CommentStatus.PENDING if comment else Response.CommentStatus.NONE,
        contact_encrypted=get_provider().encrypt(contact) if contact else "",
        status=Response.Status.HELD if held else Response.Status.COUNTED,
        device_key=device_key,
        created_at=now,
    )


def _flag_burst(subject: Subject, now) -> None:
    window = conf.burst_window_seconds()
    start = datetime.fromtimestamp(int(now.timestamp()) // window * window, tz=UTC)
    flag, created = AnomalyFlag.objects.get_or_create(
        officer=subject.officer,
        unit=subject.unit,
        window_start=start,
        defaults={
            "reason": f"{window // 60} 分钟内评价超过 {conf.burst_allowance()} 条：{subject.officer or subject.unit}"
        },
    )
    AnomalyFlag.objects.filter(pk=flag.pk).update(held=F("held") + 1)
    if created:
        _notify_unit_admins(
            subject.unit,
            key=f"surveys:flag:{flag.pk}",
            title=f"满意度评价异常集中：{subject.officer or subject.unit}",
            body="超出部分已暂不计入，请在满意度调查的审核页面复核。",
        )


def unit_admins(unit: Unit) -> list[User]:
    """The unit administrators whose subtree holds the unit."""
    ancestor_ids = [int(p) for p in unit.path.strip("/").split("/") if p]
    grants = RoleGrant.objects.filter(role=Role.UNIT_ADMIN, unit_id__in=ancestor_ids).select_related("user")
    return [g.user for g in grants]


def _notify_unit_admins(unit: Unit, *, key: str, title: str, body: str) -> None:
    notices_send(
        NoticeIn(user_id=u.pk, key=key, title=title, body=body, url="/surveys/moderation/", kind=Notice.Kind.EVALUATION)
        for u in unit_admins(unit)
    )


# ---- administrators -------------------------------------------------------------------------------------------


def _require_manager(by: User, unit: Unit) -> None:
    if not access.can_manage_unit(by, unit):
        raise SurveyError("您无权管理该单位的满意度调查。")


@transaction.atomic
def comment_moderate(*, response: Response, by: User, approve: bool, reason: str = "") -> Response:
    """Approve a comment (then shown to the unit and the officer) or hide it; audited. Raises SurveyError."""
    _require_manager(by, response.unit)
    if response.comment_status == Response.CommentStatus.NONE:
        raise SurveyError("这条评价没有留言，无需审核。")
    if not approve and not reason.strip():
        raise SurveyError("隐藏留言时请填写原因（例如：辱骂、与执法无关）。")
    old = response.comment_status
    response.comment_status = Response.CommentStatus.APPROVED if approve else Response.CommentStatus.HIDDEN
    response.reviewed_by, response.reviewed_at = by, timezone.now()
    response.save(update_fields=["comment_status", "reviewed_by", "reviewed_at"])
    audit_record(
        actor=by,
        action="surveys.comment_moderate",
        obj=response,
        old={"comment_status": old},
        new={"comment_status": response.comment_status},
        reason=reason,
    )
    return response


@transaction.atomic
def held_review(*, response: Response, by: User, count: bool, reason: str = "") -> Response:
    """Count a held response after review, or discard it; audited (it changes an officer's score)."""
    _require_manager(by, response.unit)
    if response.status != Response.Status.HELD:
        raise SurveyError("这条评价不在待复核状态。")
    response.status = Response.Status.COUNTED if count else Response.Status.DISCARDED
    response.reviewed_by, response.reviewed_at = by, timezone.now()
    response.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    audit_record(
        actor=by,
        action="surveys.held_review",
        obj=response,
        old={"status": Response.Status.HELD},
        new={"status": response.status},
        reason=reason,
    )
    return response


@transaction.atomic
def flag_resolve(*, flag: AnomalyFlag, by: User) -> AnomalyFlag:
    _require_manager(by, flag.unit)
    flag.resolved_by, flag.resolved_at = by, timezone.now()
    flag.save(update_fields=["resolved_by", "resolved_at"])
    audit_record(actor=by, action="surveys.flag_resolve", obj=flag)
    return flag


def contact_reveal(*, response: Response, by: User) -> str:
    """The call-back contact in clear, for the unit's administrators only; the reveal is audited."""
    _require_manager(by, response.unit)
    if not response.contact_encrypted:
        return ""
    audit_record(actor=by, action="surveys.contact_reveal", obj=response, reason="群众回访")
    return get_provider().decrypt(response.contact_encrypted)


# ---- act links --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActRow:
    act_number: str
    acted_on: Any  # date | None
    officer: Officer | None


def short_code_new() -> str:
    return "".join(secrets.choice(SHORT_CODE_ALPHABET) for _ in range(8))


@transaction.atomic
def act_batch_create(*, unit: Unit, by: User, rows: list[ActRow], filename: str = "") -> ActBatch:
    """One one-time link per act (valid 30 days); all or nothing. Raises SurveyError."""
    _require_manager(by, unit)
    if not rows:
        raise SurveyError("表格中没有执法行为：请从第 2 行起填写文书编号。")
    for row in rows:
        if row.officer is not None and not row.officer.unit.is_within(unit):
            raise SurveyError(f"执法人员 {row.officer.name} 不属于 {unit.name} 或其下级单位。")
    batch = ActBatch.objects.create(unit=unit, created_by=by, filename=filename[:200])
    expires = timezone.now() + LIFETIME["a"]
    links = [
        ActLink(
            batch=batch,
            unit=row.officer.unit if row.officer else unit,
            officer=row.officer,
            act_number=row.act_number,
            acted_on=row.acted_on,
            short_code=short_code_new(),
            expires_at=expires,
        )
        for row in rows
    ]
    ActLink.objects.bulk_create(links)
    audit_record(actor=by, action="surveys.act_batch_create", obj=batch, new={"links": len(links)})
    return batch


def act_link_expiry_days() -> int:
    return LIFETIME["a"].days


def act_link_url(link: ActLink) -> str:
    """The public address of an act's one-time survey (what its QR code and SMS carry)."""
    return conf.site_url() + reverse("surveys:respond", kwargs={"token": token_make("a", link.pk)})


def act_sms_text(*, link: ActLink, unit_name: str) -> str:
    """The SMS that brings a citizen to the survey of his act (also in the act-codes Excel)."""
    short_url = conf.site_url() + reverse("surveys:short")
    url = act_link_url(link)
    return f"【{unit_name}】请对本次执法评价（匿名，约20秒）：{url} 或访问 {short_url} 输入 {link.short_code}"


@dataclass(frozen=True)
class SmsResult:
    sent: int
    failed: int
    error: str = ""  # the first failure's message (Chinese)


def act_sms_send(*, batch: ActBatch, by: User, phones: dict[str, str]) -> SmsResult:
    """Text each act's link to the phone given for it (act number → mobile) through the notices' SMS sender.

    The numbers are used for this call only: not stored, not logged in clear (the sender masks them), not audited
    (the audit records how many were sent). A failed message does not stop the others."""
    _require_manager(by, batch.unit)
    sent, errors = 0, []
    for link in batch.links.filter(act_number__in=list(phones)).order_by("pk"):
        try:
            text_send(
                channel=ChannelPreference.Channel.SMS,
                address=phones[link.act_number],
                text=act_sms_text(link=link, unit_name=batch.unit.name),
            )
        except SendError as error:
            errors.append(str(error))
        else:
            sent += 1
    audit_record(actor=by, action="surveys.act_sms_send", obj=batch, new={"sent": sent, "failed": len(errors)})
    return SmsResult(sent=sent, failed=len(errors), error=errors[0] if errors else "")


__all__ = [
    "Answers",
    "Channel",
    "Subject",
    "SurveyError",
    "SurveyRefused",
    "act_batch_create",
    "act_sms_send",
    "comment_moderate",
    "contact_reveal",
    "flag_resolve",
    "held_review",
    "response_submit",
]
