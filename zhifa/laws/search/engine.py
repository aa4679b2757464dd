"""The ranking recipe: parse, rank words (AND, then OR), rank bigrams, fuse, apply the learned prior if present.

No ORM here beyond the backend calls; results are (provision id, score) pairs, best first.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol

from zhifa.laws.search.backends import AND, OR, Filters, Match, SearchBackend
from zhifa.laws.search.documents import BIGRAM, WORD, Clause
from zhifa.laws.search.query import ParsedQuery, parse_query


class Prior(Protocol):
    """A learned component: extra score per candidate (provision id) for a parsed query."""

    def boosts(self, parsed: ParsedQuery, ids: list[int]) -> dict[int, float]: ...


# The tuned recipe. Its variants (OR at once, words or bigrams alone, other fusion shares, a ranking restricted to
# the predicted law, no question stop-words, depth 200 …) were measured in docs/search.md and dropped (issue 21).
RRF_K = 60.0  # reciprocal rank fusion of the word and the bigram ranking, equal shares
DEPTH = 1000  # candidates taken from each ranking of a question (200 before 2026-11-28)
KEYWORD_MAX_TERMS = 3  # keyword mode: at most this many words and phrases (and no question word dropped) …
KEYWORD_LIST_CHUNK = 12  # … or space-separated chunks of at most this many letters and digits
MAX_DOC_FREQ = 8000  # questions: terms in more articles than this (~6% of 140k) are too common to rank by
LAW_EVIDENCE_TOP = 10  # how many of each law's best candidates count as its evidence


@dataclass(frozen=True)
class Recipe:
    """The settings tests switch off or vary; everything else is the constants above. DEFAULT is the tuned one."""

    # "不予受理 驳回起诉": space-separated keywords are keywords however many words they hold
    keyword_lists: bool = True
    keyword_term_chars: int = 12  # "劳动合同的解除": one short run of letters and digits with no question marker is a
    # keyword (a term or a name), however jieba cuts it and whatever stop-word it holds
    law_evidence: float = 0.12  # questions: + share × (the law's part of the pool's best scores), no training needed


DEFAULT = Recipe()


@dataclass(frozen=True)
class Ranked:
    id: int
    score: float


def _word_ranking(backend: SearchBackend, parsed: ParsedQuery, filters: Filters, depth: int) -> list[tuple[int, float]]:
    """AND of all words and phrases; topped up with the OR ranking when AND finds fewer than `depth`."""
    strict = Match.build(words=parsed.words, phrases=parsed.phrases, mode=AND)
    ranked = backend.rank(strict, filters=filters, limit=depth)
    if len(ranked) >= depth or len(strict.clauses) <= 1:
        return ranked
    loose_words = _rarest(backend, parsed.words, WORD, MAX_DOC_FREQ)  # AND kept them; OR would crawl
    loose = Match.build(words=loose_words, phrases=parsed.phrases, mode=OR)
    seen = {doc_id for doc_id, _ in ranked}
    more = backend.rank(loose, filters=filters, limit=depth)
    return ranked + [(doc_id, score) for doc_id, score in more if doc_id not in seen][: depth - len(ranked)]


def _rarest(backend: SearchBackend, terms: tuple[str, ...], field: str, max_doc_freq: int) -> tuple[str, ...]:
    """The terms in at most `max_doc_freq` articles (the rarest one when all are more common)."""
    if not terms or not max_doc_freq:
        return terms
    freqs = dict(zip(terms, backend.doc_freqs([Clause(t, field) for t in terms]), strict=True))
    kept = tuple(t for t in terms if freqs[t] <= max_doc_freq)
    return kept or (min(terms, key=lambda t: (freqs[t], t)),)


def _without_common_terms(backend: SearchBackend, parsed: ParsedQuery) -> ParsedQuery:
    """A question without its very common words and bigrams: they barely change BM25 but cost the most."""
    return replace(
        parsed,
        words=_rarest(backend, parsed.words, WORD, MAX_DOC_FREQ),
        bigrams=_rarest(backend, parsed.bigrams, BIGRAM, MAX_DOC_FREQ),
    )


# Words and marks that make a short text a question ("居住权是什么？", "专利权能设立质权吗"): the interrogatives and
# particles of stop_words.txt.
QUESTION_MARKERS = (
    "吗", "呢", "么", "吧", "嘛", "什么", "啥", "怎", "如何", "哪", "为何", "多少", "多久", "几", "谁", "何时",
    "是否", "是不是", "有没有", "会不会", "能不能", "能否", "可否", "可以", "可不可以", "要不要", "算不算",
    "属不属于", "请问", "?", "？",
)  # fmt: skip


def is_term(text: str, recipe: Recipe) -> bool:
    """One short run of letters and digits without a question marker: a term or a name."""
    return (
        bool(recipe.keyword_term_chars)
        and len(text) <= recipe.keyword_term_chars
        and text.isalnum()
        and not any(marker in text for marker in QUESTION_MARKERS)
    )


def is_keywords(parsed: ParsedQuery, recipe: Recipe) -> bool:
    """Keywords rather than a question, ranked by AND of the words (topped up by OR) instead of a question's pools:
    - nothing was dropped as a question word and there are few terms; or
    - a list of keywords separated by spaces (≥ 2 short chunks of letters and digits, no punctuation); or
    - one short run of letters and digits without a question marker ("附义务的赠与合同", "帮助信息网络犯罪活动罪"):
      a term or a name, however many words jieba cuts it into or whatever stop-word it holds.
    No question of the retrieval data has the second form and one of 771 the third ("网络借贷实际交付"); ranking
    such text as a question cost 10–160 ms for a worse answer to what was typed: the pool of a question is 1,000
    deep and fused with the bigrams."""
    if not parsed.dropped and len(parsed.words) + len(parsed.phrases) <= KEYWORD_MAX_TERMS:
        return True
    if is_term(parsed.text, recipe):
        return True
    chunks = parsed.text.split()
    return (
        recipe.keyword_lists
        and len(chunks) >= 2
        and all(chunk.isalnum() and len(chunk) <= KEYWORD_LIST_CHUNK for chunk in chunks)
    )


def _fuse(rankings: list[list[tuple[int, float]]]) -> dict[int, float]:
    """Reciprocal rank fusion: Σ 1 / (RRF_K + rank)."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for position, (doc_id, _score) in enumerate(ranking, start=1):
            fused[doc_id] = fused.get(doc_id, 0.0) + 1.0 / (RRF_K + position)
    return fused


def rank(
    backend: SearchBackend,
    text: str,
    *,
    filters: Filters,
    limit: int = 10,
    recipe: Recipe = DEFAULT,
    prior: Prior | None = None,
    ranker=None,
) -> list[Ranked]:
    """The best `limit` articles for the user's text, best first; [] for an empty query. With a `ranker`
    (artefact.Models), questions are re-ranked by it (rerank.py); keyword mode is the same either way."""
    with backend.one_search():
        return _rank(backend, text, filters=filters, limit=limit, recipe=recipe, prior=prior, ranker=ranker)


def _rank(
    backend: SearchBackend,
    text: str,
    *,
    filters: Filters,
    limit: int,
    recipe: Recipe,
    prior: Prior | None,
    ranker=None,
) -> list[Ranked]:
    parsed = parse_query(text)
    if parsed.is_empty or limit <= 0:
        return []
    if is_keywords(parsed, recipe):
        if parsed.dropped and is_term(parsed.text, recipe):  # "债权让与": a term keeps every word it is typed with
            parsed = parse_query(text, drop_stop_words=False)
        ranked = _word_ranking(backend, parsed, filters, limit) if parsed.words or parsed.phrases else []
        if not ranked:  # nothing for the words: fall back to the query's bigrams
            ranked = backend.rank(Match.build(bigrams=parsed.bigrams, mode=OR), filters=filters, limit=limit)
        if prior is None:
            return [Ranked(doc_id, score) for doc_id, score in ranked]
        return _with_prior(_fuse([ranked]), parsed, filters, recipe, prior, limit, questions=False)
    if ranker is not None:
        from zhifa.laws.search import rerank

        reranked = rerank.rank(backend, parsed, filters, ranker, limit)
        if reranked:
            return [Ranked(doc_id, score) for doc_id, score in reranked]
    depth = max(DEPTH, limit)
    parsed = _without_common_terms(backend, parsed)
    rankings: list[list[tuple[int, float]]] = []
    if parsed.words or parsed.phrases:
        rankings.append(_word_ranking(backend, parsed, filters, depth))
    if parsed.bigrams:
        bigram_match = Match.build(bigrams=parsed.bigrams, phrases=parsed.phrases, mode=OR)
        rankings.append(backend.rank(bigram_match, filters=filters, limit=depth))
    if len(rankings) == 1 and prior is None:
        return [Ranked(doc_id, score) for doc_id, score in rankings[0][:limit]]
    return _with_prior(_fuse(rankings), parsed, filters, recipe, prior, limit)


def _with_prior(
    fused: dict[int, float],
    parsed: ParsedQuery,
    filters: Filters,
    recipe: Recipe,
    prior: Prior | None,
    limit: int,
    *,
    questions: bool = True,
) -> list[Ranked]:
    """The fused ranking with the prior's boosts and (questions) the law evidence added, best `limit` first."""
    if prior is not None:
        _apply_prior(fused, prior.boosts(parsed, list(fused)), filters)
    if questions and recipe.law_evidence and len(fused) > limit:
        _add_law_evidence(fused, recipe.law_evidence, LAW_EVIDENCE_TOP)
    best = sorted(fused.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [Ranked(doc_id, score) for doc_id, score in best]


def _add_law_evidence(fused: dict[int, float], share: float, top: int) -> None:
    """Articles of the laws the whole pool points at rise: each law's evidence is the sum of its `top` best
    scores, as a share of all laws' evidence; every candidate gets + share × its law's part (in place)."""
    from zhifa.laws.search.resolve import laws_of_ids

    laws = laws_of_ids(list(fused))
    best: dict[str, list[float]] = {}
    for doc_id, score in sorted(fused.items(), key=lambda item: (-item[1], item[0])):
        law = laws.get(doc_id)
        if law is not None and len(scores := best.setdefault(law, [])) < top:
            scores.append(score)
    evidence = {law: sum(scores) for law, scores in best.items()}
    total = sum(evidence.values())
    if total <= 0:
        return
    for doc_id in fused:
        law = laws.get(doc_id)
        if law is not None:
            fused[doc_id] += share * evidence[law] / total


def _apply_prior(fused: dict[int, float], boosts: dict[int, float], filters: Filters) -> None:
    """Add the prior's boosts; articles it proposes that no ranking found enter only if the filters allow them."""
    from zhifa.laws.search.resolve import ids_passing

    allowed = ids_passing([i for i in boosts if i not in fused], filters)
    for doc_id, boost in boosts.items():
        if doc_id in fused or doc_id in allowed:
            fused[doc_id] = fused.get(doc_id, 0.0) + boost


def variant(**changes) -> Recipe:
    return replace(DEFAULT, **changes)
