"""Plan reminders through the platform's one notice mechanism: a new assignment, 7 and 1 days before the deadline,
overdue, and the administrator's "remind all who are behind". Each (officer, key) is sent once, however often and
on however many workers the job runs (notices' unique constraint decides)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.urls import reverse
from django.utils import timezone

from zhifa.common.audit import audit_record
from zhifa.notices.models import Notice
from zhifa.notices.services import NoticeIn, notices_send
from zhifa.people.models import User
from zhifa.plans.models import Assignment, PlanItem, TrainingPlan
from zhifa.plans.status import DONE, EXEMPTED, reminder_stage

_STAGE_TEXT = {
    "due-7": ("截止提醒：{title}", "“{title}”将于{deadline}截止，还剩{left}天，请尽快完成。", Notice.Kind.DEADLINE),
    "due-1": ("明日截止：{title}", "“{title}”将于{deadline}截止，请在截止前完成。", Notice.Kind.DEADLINE),
    "overdue": ("已逾期：{title}", "“{title}”已于{deadline}截止，您尚未完成，请尽快补学。", Notice.Kind.OVERDUE),
}


def _open_rows(items: Iterable[PlanItem]) -> Iterable[tuple[PlanItem, int]]:
    by_id = {i.pk: i for i in items}
    rows = (
        Assignment.objects.filter(item_id__in=list(by_id))
        .exclude(status__in=[DONE, EXEMPTED])
        .values_list("item_id", "officer__user_id")
    )
    for item_id, user_id in rows.iterator(chunk_size=5000):
        yield by_id[item_id], user_id


def reminders_send(*, today: date | None = None, plan: TrainingPlan | None = None) -> int:
    """Send the plan reminders due today for every published plan of the year (or one plan, right after it is
    published); returns how many were new."""
    today = today or timezone.localdate()
    url = reverse("plans:my-plan")
    items_q = PlanItem.objects.filter(plan__status=TrainingPlan.Status.PUBLISHED)
    items_q = items_q.filter(plan=plan) if plan is not None else items_q.filter(plan__year=today.year)
    items = list(items_q.select_related("plan"))
    batch: list[NoticeIn] = []
    sent = 0
    for item, user_id in _open_rows(items):
        deadline = f"{item.deadline:%Y年%m月%d日}".replace("年0", "年").replace("月0", "月")
        batch.append(
            NoticeIn(
                user_id=user_id,
                key=f"plans:item:{item.pk}:new",
                title=f"新的培训任务：{item.title}",
                body=f"{item.plan.title}：请在{deadline}前完成“{item.title}”。{item.reason}".strip(),
                url=url,
                kind=Notice.Kind.ASSIGNMENT,
            )
        )
        stage = reminder_stage(deadline=item.deadline, today=today)
        if stage is not None and item.window_start <= today:
            title, body, kind = _STAGE_TEXT[stage]
            left = (item.deadline - today).days
            batch.append(
                NoticeIn(
                    user_id=user_id,
                    key=f"plans:item:{item.pk}:{stage}",
                    title=title.format(title=item.title),
                    body=body.format(title=item.title, deadline=deadline, left=left),
                    url=url,
                    kind=kind,
                )
            )
        if len(batch) >= 5000:
            sent += notices_send(batch)
            batch = []
    return sent + notices_send(batch)


def remind_behind(*, by: User, assignments: Iterable[Assignment], today: date | None = None) -> int:
    """The administrator's one click: a reminder to each officer behind on an item (once a day per item); audited."""
    today = today or timezone.localdate()
    url = reverse("plans:my-plan")
    batch = [
        NoticeIn(
            user_id=a.officer.user_id,
            key=f"plans:item:{a.item_id}:remind:{today:%Y-%m-%d}",
            title=f"催办：{a.item.title}",
            body=f"单位管理员提醒您尽快完成“{a.item.title}”（截止{a.item.deadline:%Y-%m-%d}）。",
            url=url,
            kind=Notice.Kind.DEADLINE,
        )
        for a in assignments
    ]
    sent = notices_send(batch)
    audit_record(actor=by, action="plans.remind_behind", new={"officers": len(batch), "sent": sent})
    return sent
