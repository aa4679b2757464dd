"""Questions citing law articles, only through the law library's `citation_set` (zhifa.laws.services).

A question keeps every key it declares in `article_keys`. Keys the law library knows become `Citation` rows. A key
of a law the library does not hold at all (real banks cite 合同法, 婚姻法, policy opinions, conventions) is kept as an
*unresolved* citation — a row without a version, flagged for review in the stale-content queue with a note that names
the successor when the law was repealed (民法典 for 合同法 …). A key citing a law the library holds as repealed is
cited and flagged the same way. A wrong article number of a law the library holds is an error, except that an import
may keep such keys *pending* (no row) until the law is imported (`question_citations_refresh`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.contrib.contenttypes.models import ContentType

from zhifa.laws.models import Citation, LawVersion, Provision
from zhifa.questions.models import Question

# Laws repealed when the Civil Code (民法典) took effect on 2021-01-01 (民法典第一千二百六十条), and a few other
# replacements real banks still cite: the short title → its successor.
SUCCESSORS = {
    "民法通则": "民法典",
    "民法总则": "民法典",
    "合同法": "民法典",
    "物权法": "民法典",
    "担保法": "民法典",
    "婚姻法": "民法典",
    "继承法": "民法典",
    "收养法": "民法典",
    "侵权责任法": "民法典",
    "涉外经济合同法": "民法典",
    "经济合同法": "民法典",
    "技术合同法": "民法典",
    "行政监察法": "监察法",
    "食品卫生法": "食品安全法",
}


def _laws_services():
    """The law library's services module, or None while it is not installed (then every key stays pending)."""
    try:
        from zhifa.laws import services
    except ImportError:
        return None
    return services if hasattr(services, "citation_set") else None


def law_of(key: str) -> str:
    return key.partition("#")[0]


def known_keys(keys: Iterable[str]) -> set[str]:
    """The keys that name an article of a law in the library (any version; the law library picks which to cite)."""
    keys = list(dict.fromkeys(keys))
    if not keys:
        return set()
    found = Provision.objects.filter(kind=Provision.Kind.ARTICLE, key__in=keys, version__is_current=True).values_list(
        "key", flat=True
    )
    return set(found)


def held_laws(keys: Iterable[str]) -> dict[str, str]:
    """Short title → status of the current version (in_force, repealed …), for the laws of `keys` the library holds."""
    names = {law_of(key) for key in keys}
    if not names:
        return {}
    rows = LawVersion.objects.filter(law__short_title__in=names, is_current=True).values_list(
        "law__short_title", "status"
    )
    return dict(rows)


def review_note(key: str, *, held: str | None) -> str:
    """Why a citation goes to the stale-content review (Chinese), or "" when it need not."""
    law = law_of(key)
    successor = SUCCESSORS.get(law)
    later = f"，已由《{successor}》取代" if successor else ""
    if held == LawVersion.Status.REPEALED:
        return f"《{law}》已废止{later}：请核对本题，改引现行法条或停用。"
    if held is not None:
        return ""
    if law in SUCCESSORS:
        return f"《{law}》已废止{later}；法规库未收录该法，引用保留为文本（未关联）：请核对本题，改引现行法条或停用。"
    return (
        f"法规库中没有《{law}》，引用保留为文本（未关联）：如为现行法规，请先在法规库导入后复核；"
        "如为政策文件、国际公约或已废止的法规，请核对本题。"
    )


def check(keys: Sequence[str]) -> tuple[list[str], dict[str, str]]:
    """(keys naming no article of a law the library holds — errors, wrong article numbers —, key → review note of
    the keys to cite flagged: a law the library does not hold or holds as repealed)."""
    keys = list(dict.fromkeys(keys))
    known, held = known_keys(keys), held_laws(keys)
    wrong = [key for key in keys if key not in known and law_of(key) in held]
    notes = {}
    for key in keys:
        if key in wrong:
            continue
        note = review_note(key, held=held.get(law_of(key)))
        if note:
            notes[key] = note
    return wrong, notes


def wrong_article_message(keys: Sequence[str]) -> str:
    laws = "、".join(f"《{law}》" for law in dict.fromkeys(law_of(key) for key in keys))
    return (
        f"“{'、'.join(keys)}”：法规库收录的{laws}没有该条，请核对条号（形如“行政处罚法#第四十四条”），"
        "或勾选“法条依据先记为待关联”。"
    )


def cite(question: Question, keys: Sequence[str], *, by=None, pending: bool = False) -> bool:
    """Make the question cite `keys` (see the module's docstring); True when any citation was written.

    With `pending`, keys the library does not know get no row (they wait for the law; unresolved rows written
    before are kept); without it, keys of laws the library does not hold become unresolved, flagged citations.
    """
    services = _laws_services()
    if services is None:
        return False
    keys = list(dict.fromkeys(keys))
    wrong, notes = check(keys)
    known = known_keys(keys)
    existing = set(cited_keys(question))
    unresolved = [key for key in keys if key not in known and key not in wrong]
    if pending:
        unresolved = [key for key in unresolved if key in existing]
    wanted = [key for key in keys if key in known or key in unresolved]
    if set(wanted) == existing:
        return False
    try:
        services.citation_set(obj=question, article_keys=wanted, by=by, review=notes)
    except getattr(services, "UnknownArticle", LookupError):
        return False  # a key vanished between the check and the write: it stays pending
    return True


def cited_keys(question: Question) -> list[str]:
    content_type = ContentType.objects.get_for_model(Question)
    return list(
        Citation.objects.filter(content_type=content_type, object_id=question.pk).values_list("article_key", flat=True)
    )


def unresolved_keys(question: Question) -> list[str]:
    """Keys kept as text: cited without a version of the library (a repealed or absent law)."""
    content_type = ContentType.objects.get_for_model(Question)
    rows = Citation.objects.filter(content_type=content_type, object_id=question.pk, version__isnull=True)
    return list(rows.values_list("article_key", flat=True))


def pending_keys(question: Question) -> list[str]:
    """Declared keys not (yet) cited through the law library."""
    cited = set(cited_keys(question))
    return [key for key in question.article_keys if key not in cited]
