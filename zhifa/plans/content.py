"""Content currency (内容时效): content whose cited articles changed, its owner, and the review outcome.

The law library flags citations (laws.Citation.needs_review, with the diff in review_note) when a new version of a
law amends or repeals a cited article. Here each flagged course, question, lesson, drill or case gets an owner and
a review: revise (the content was edited), confirm (still valid) or retire; the outcome is audited and the flags
are cleared through laws.services.citation_review_done.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from zhifa.common.audit import audit_record
from zhifa.laws.models import Citation
from zhifa.laws.services import citation_review_done
from zhifa.people import access
from zhifa.people.models import Unit, User
from zhifa.plans.models import ContentOwner, ContentReview
from zhifa.plans.services import PlanError


@dataclass
class StaleContent:
    content_type: ContentType
    object_id: int
    obj: models.Model | None
    citations: list[Citation] = field(default_factory=list)
    owner: User | None = None
    unit: Unit | None = None

    @property
    def label(self) -> str:
        return str(self.obj) if self.obj is not None else f"{self.content_type.name} #{self.object_id}（已删除）"

    @property
    def kind(self) -> str:
        model = self.content_type.model_class()
        return str(model._meta.verbose_name) if model is not None else ""


def _default_owner(obj: models.Model | None) -> tuple[User | None, Unit | None]:
    """The owner a piece of content has before anyone names one: its author and its unit, where it has them."""
    if obj is None:
        return None, None
    owner = getattr(obj, "created_by", None) or getattr(obj, "author", None)
    unit = getattr(obj, "owner_unit", None) or getattr(obj, "unit", None)
    return (owner if isinstance(owner, User) else None), (unit if isinstance(unit, Unit) else None)


def stale_content(*, user: User, owner_id: int | None = None, unit_id: int | None = None) -> list[StaleContent]:
    """Stale content visible to a console user, one entry per object with its flagged citations; filterable by
    owner and unit (the unit's subtree)."""
    groups: dict[tuple[int, int], StaleContent] = {}
    citations = Citation.objects.filter(needs_review=True).select_related("content_type", "version__law")
    for citation in citations.order_by("content_type_id", "object_id", "article_key"):
        key = (citation.content_type_id, citation.object_id)
        if key not in groups:
            groups[key] = StaleContent(citation.content_type, citation.object_id, citation.content_object)
        groups[key].citations.append(citation)
    owners = {
        (o.content_type_id, o.object_id): o
        for o in ContentOwner.objects.filter(object_id__in={k[1] for k in groups}).select_related("owner", "unit")
    }
    visible_paths = access.viewable_unit_paths(user)
    result = []
    for key, entry in groups.items():
        named = owners.get(key)
        entry.owner, entry.unit = (named.owner, named.unit) if named else _default_owner(entry.obj)
        if (
            visible_paths is not None
            and not (entry.unit is not None and any(entry.unit.path.startswith(p) for p in visible_paths))
            and entry.owner != user
        ):
            continue
        if owner_id and (entry.owner is None or entry.owner.pk != owner_id):
            continue
        if unit_id and (entry.unit is None or not entry.unit.path.startswith(_unit_path(unit_id))):
            continue
        result.append(entry)
    return result


def _unit_path(unit_id: int) -> str:
    return Unit.objects.filter(pk=unit_id).values_list("path", flat=True).first() or "\x00"


@transaction.atomic
def content_review(*, by: User, content_type: ContentType, object_id: int, outcome: str, note: str) -> ContentReview:
    """Record the review of one piece of content and clear its flags; audited. Raises PlanError (no note, an
    unknown outcome, nothing to review)."""
    if outcome not in ContentReview.Outcome.values:
        raise PlanError("请选择复核结论：已修订、确认仍有效或停用。", "outcome")
    if not note.strip():
        raise PlanError("请填写复核说明，如“已按新法第十二条修改第三题解析”。", "note")
    flagged = list(Citation.objects.filter(content_type=content_type, object_id=object_id, needs_review=True))
    if not flagged:
        raise PlanError("该内容没有待复核的法条引用。")
    for citation in flagged:
        citation_review_done(citation=citation, by=by)
    review = ContentReview.objects.create(
        content_type=content_type,
        object_id=object_id,
        outcome=outcome,
        note=note.strip()[:300],
        citations=[c.article_key for c in flagged],
        decided_by=by,
    )
    audit_record(
        actor=by,
        action=f"plans.content_{outcome}",
        obj=review,
        new={"object": f"{content_type.app_label}.{content_type.model}:{object_id}", "outcome": outcome},
        reason=review.note,
    )
    return review
