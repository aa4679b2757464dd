"""The index's contract (backends/tantivy.py) and the copies of several app servers (sync.py), on the real engine.

The suite runs once on SQLite and once on PostgreSQL: the index is the same Tantivy directory, the stored terms and
the change log it follows are each database's."""

import pytest
from django.db import transaction

from zhifa.laws.models import LawVersion
from zhifa.laws.search import store
from zhifa.laws.search.backends import AND, OR, Filters, IndexUnavailable, Match, get_backend
from zhifa.laws.search.documents import BIGRAM, PHRASE, WORD, Clause
from zhifa.laws.search.indexing import documents_for, index_law, index_rebuild
from zhifa.laws.search.sync import sync
from zhifa.laws.search.tests.conftest import create_law

pytestmark = pytest.mark.django_db


def keys(ranked) -> set[str]:
    from zhifa.laws.models import Provision

    return set(Provision.objects.filter(pk__in=[doc_id for doc_id, _ in ranked]).values_list("key", flat=True))


def rank(match: Match, filters: Filters | None = None, limit: int = 50):
    return get_backend().rank(match, filters=filters or Filters(), limit=limit)


def test_and_needs_every_word_or_any(search_laws):
    both = rank(Match.build(words=["行政机关", "听证"], mode=AND))
    assert keys(both) == {"行政处罚法#第四十四条", "行政处罚法#第六十三条"}
    either = rank(Match.build(words=["夫妻", "赔偿"], mode=OR))
    assert keys(either) == {
        "民法典#第一千零六十二条", "民法典#第一千零七十九条", "食品安全法#第一百四十八条"
    }  # fmt: skip
    assert rank(Match.build(words=["夫妻", "赔偿"], mode=AND)) == []
    assert rank(Match.build(words=["没有这个词"])) == []


def test_ranking_is_best_first_by_bm25(search_laws):
    ranked = rank(Match.build(words=["听证"], mode=OR))
    scores = [score for _, score in ranked]
    assert scores == sorted(scores, reverse=True) and all(s > 0 for s in scores)
    assert keys(ranked[:1]) == {"行政处罚法#第六十三条"}  # 听证 three times, in the shortest text holding it so often


def test_title_words_find_a_law_by_its_name(search_laws):
    found = rank(Match.build(words=["民法典"]))  # in no article's text, only in the law's short title
    assert keys(found) == {"民法典#第五十四条", "民法典#第一千零六十二条", "民法典#第一千零七十九条"}


def test_a_phrase_matches_its_bigrams_in_order_only(search_laws):
    assert keys(rank(Match.build(phrases=[("要求", "求听", "听证")]))) == {
        "行政处罚法#第四十四条", "行政处罚法#第六十三条"
    }  # fmt: skip
    assert rank(Match.build(phrases=[("听证", "证要", "要求")])) == []  # the same bigrams, another order
    assert keys(rank(Match.build(words=["当事人"], phrases=[("告知", "知当", "当事", "事人")]))) == {
        "行政处罚法#第四十四条", "行政处罚法#第六十三条", "江北省市场监督管理条例#第十条"
    }  # fmt: skip
    assert keys(rank(Match.build(bigrams=["离婚"], mode=OR))) == {"民法典#第一千零七十九条"}


def test_filters_restrict_the_ranking(search_laws, org):
    match = Match.build(words=["行政处罚"])
    everywhere = keys(rank(match))
    assert {"江北省市场监督管理条例#第十条", "山东省市场监督管理条例#第十条"} <= everywhere
    national_and_jiangbei = keys(rank(match, Filters(regions=("", "江北省"))))
    assert national_and_jiangbei == everywhere - {"山东省市场监督管理条例#第十条"}
    local = keys(rank(match, Filters(categories=("local_regulation",))))
    assert local == {"江北省市场监督管理条例#第十条", "山东省市场监督管理条例#第十条"}
    assert rank(match, Filters(regions=())) == []
    assert rank(match, Filters(statuses=(LawVersion.Status.REPEALED,))) == []
    law = search_laws["江北省市场监督管理条例"]
    law.domains.add(org.market_domain)
    assert keys(rank(match, Filters(law_ids=(law.pk,)))) == {"江北省市场监督管理条例#第十条"}
    assert keys(rank(match, Filters(domain_ids=(org.market_domain.pk,)))) == {"江北省市场监督管理条例#第十条"}


def test_document_frequencies_and_statistics(search_laws):
    backend = get_backend()
    clauses = [Clause("听证"), Clause("夫妻", BIGRAM), Clause("要求 求听 听证", PHRASE), Clause("没有", WORD)]
    assert backend.doc_freqs(clauses) == [4, 2, 2, 0]
    stats = backend.word_stats(["听证", "夫妻"])
    documents = [d for v in LawVersion.objects.filter(is_current=True) for d in documents_for(v)]
    assert stats.n_docs == backend.count() == len(documents) == 10
    assert stats.avg == pytest.approx(sum(d.length for d in documents) / len(documents))
    assert stats.dfs == (4, 2)


def test_a_law_without_current_version_leaves_the_index(search_laws):
    law = search_laws["民法典"]
    law.versions.update(is_current=False)
    index_law(law)
    assert rank(Match.build(words=["夫妻"])) == []
    assert get_backend().count() == 7


def same_ranking(a, b) -> bool:
    return [i for i, _ in a] == [i for i, _ in b] and [s for _, s in a] == pytest.approx([s for _, s in b])


def test_reindexing_and_rebuilding_give_the_same_ranking(search_laws):
    match = Match.build(bigrams=["处罚", "听证", "夫妻"], mode=OR)
    before = rank(match)
    for law in search_laws.values():
        index_law(law)
    assert same_ranking(rank(match), before)
    assert index_rebuild() == get_backend().count() == 10
    assert same_ranking(rank(match), before)


def other_server(settings, tmp_path):
    """Point this process at a second index directory: what another app server's copy sees."""
    settings.ZHIFA_SEARCH_INDEX = tmp_path / "other-server"


def test_a_second_server_builds_its_copy_then_follows_the_imports(search_laws, settings, tmp_path):
    first = settings.ZHIFA_SEARCH_INDEX
    other_server(settings, tmp_path)
    assert get_backend().count() == 0  # a new server: nothing yet
    built = sync()
    assert built.rebuilt and built.documents == get_backend().count() == 10
    assert sync().laws == 0  # nothing new

    settings.ZHIFA_SEARCH_INDEX = first  # the first server imports a law: its own copy finds it at once
    create_law("中华人民共和国测试法", "测试法", "law", "", [("第一条", "为了规范无人机飞行，制定本法。")])
    assert keys(rank(Match.build(words=["无人机"]))) == {"测试法#第一条"}

    other_server(settings, tmp_path)  # … the second only after its sync
    assert rank(Match.build(words=["无人机"])) == []
    applied = sync()
    assert (applied.rebuilt, applied.laws, applied.documents) == (False, 1, 1)
    assert keys(rank(Match.build(words=["无人机"]))) == {"测试法#第一条"}

    settings.ZHIFA_SEARCH_INDEX = first  # a new version on the first server replaces the law's articles
    law = search_laws["食品安全法"]
    law.versions.update(is_current=False)
    index_law(law)
    other_server(settings, tmp_path)
    assert sync().laws == 1
    assert rank(Match.build(words=["赔偿"])) == [] and get_backend().count() == 10


def test_a_copy_that_applied_a_rolled_back_import_is_rebuilt(search_laws, settings, tmp_path):
    with pytest.raises(RuntimeError), transaction.atomic():
        create_law("中华人民共和国撤回法", "撤回法", "law", "", [("第一条", "撤回的导入不留痕迹。")])
        assert keys(rank(Match.build(words=["撤回"]))) == {"撤回法#第一条"}  # applied inside the transaction
        raise RuntimeError("the import fails after the index applied it")
    # the change number is given back and reused by the next import, with another token: the copy is rebuilt
    create_law("中华人民共和国测试法", "测试法", "law", "", [("第一条", "为了规范无人机飞行，制定本法。")])
    assert rank(Match.build(words=["撤回"])) == []
    assert keys(rank(Match.build(words=["无人机"]))) == {"测试法#第一条"}
    assert get_backend().count() == 11


def test_re_tokenising_everything_makes_every_copy_rebuild(search_laws, settings, tmp_path):
    first = settings.ZHIFA_SEARCH_INDEX
    other_server(settings, tmp_path)
    assert sync().rebuilt
    settings.ZHIFA_SEARCH_INDEX = first
    index_rebuild()
    other_server(settings, tmp_path)
    assert sync().rebuilt


def test_a_broken_index_is_rebuilt_from_the_database(search_laws, settings, monkeypatch):
    from zhifa.laws.search import backends

    (settings.ZHIFA_SEARCH_INDEX / "meta.json").write_text("{not json", encoding="utf-8")
    monkeypatch.setattr(backends, "_backend", None)  # a process starting on the damaged directory
    result = sync()
    assert result.rebuilt and result.documents == 10
    assert keys(rank(Match.build(words=["夫妻"]))) == {"民法典#第一千零六十二条", "民法典#第一千零七十九条"}


def test_an_unusable_index_directory_is_named_with_the_fix(settings, tmp_path, db):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    settings.ZHIFA_SEARCH_INDEX = blocker / "index"
    with pytest.raises(IndexUnavailable, match=f"{blocker}.*ZHIFA_SEARCH_INDEX"):
        sync()


def test_the_change_log_numbers_changes_in_order(search_laws):
    before = store.last_change()
    assert before is not None
    index_law(search_laws["民法典"])
    index_law(search_laws["食品安全法"])
    changes = store.changes_since(before.seq)
    assert [c.seq for c in changes] == [before.seq + 1, before.seq + 2]
    assert [c.law_id for c in changes] == [search_laws["民法典"].pk, search_laws["食品安全法"].pk]
