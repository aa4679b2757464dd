"""The learned re-ranker on the test laws: trained by train_search (a small, fast run), stored as a version, used by
the search for questions, never for keywords; the search ranks as before without it or with a broken one."""

import json

import pytest
from django.core.management import call_command

from zhifa.laws.search import artefact, engine, lawclass, learned
from zhifa.laws.search.backends import Filters, get_backend
from zhifa.laws.search.evaluation import read_pairs
from zhifa.laws.search.learned import Pair
from zhifa.laws.search.queries import SearchRequest, ranked_keys, search_articles
from zhifa.laws.search.query import parse_query

pytestmark = pytest.mark.django_db

PAIRS = [
    {"query": "两年没发现的违法行为还罚吗", "relevant": ["行政处罚法#第三十六条"]},
    {"query": "违法行为过了多久就不处罚了", "relevant": ["行政处罚法#第36条"]},
    {"query": "违法的事多年后被发现还要罚款吗", "relevant": ["行政处罚法#第三十六条"]},
    {"query": "老公的工资算不算两个人的", "relevant": ["中华人民共和国民法典#第一千零六十二条"]},
    {"query": "结婚以后挣的钱归谁", "relevant": ["民法典#第一千零六十二条"]},
    {"query": "婚后的奖金是不是夫妻共同的", "relevant": ["民法典#第一千零六十二条"]},
    {"query": "罚款前要不要让当事人说话", "relevant": ["行政处罚法#第四十四条"]},
    {"query": "处罚决定前要告诉当事人什么", "relevant": ["行政处罚法#第四十四条"]},
    {"query": "罚很多钱的时候可以要求听证吗", "relevant": ["行政处罚法#第六十三条"]},
    {"query": "吊销执照前能不能听证", "relevant": ["行政处罚法#第六十三条"]},
]


@pytest.fixture
def pairs_file(tmp_path):
    path = tmp_path / "pairs.jsonl"
    path.write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in PAIRS), encoding="utf-8")
    return path


@pytest.fixture
def trained(search_laws, pairs_file, capsys):
    call_command(
        "train_search", "--pairs", str(pairs_file), "--no-citations", "--rounds", "10", "--folds", "2", "--scope", "all"
    )
    return capsys.readouterr().out


def test_train_search_stores_a_versioned_ranker_and_makes_it_current(trained, settings):
    assert "排序模型 v" in trained and "已设为当前版本" in trained
    directory = artefact.current_directory()
    assert directory is not None and directory.parent == settings.ZHIFA_SEARCH_RANKER
    assert {p.name for p in directory.iterdir()} == {
        "manifest.json", "booster.txt", "prior.npz", "lawclass.npz", "counts.json", "dense.npz"
    }  # fmt: skip
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["pairs"] == len(PAIRS) and manifest["rounds"] == 10 and manifest["pool_recall"] > 0.5
    models = artefact.current()
    assert models is not None and models.version == directory.name
    assert models.article_counts["民法典#第一千零六十二条"] == 3


def test_questions_are_reranked_and_keywords_are_not(trained):
    models = artefact.current()
    backend = get_backend()
    filters = Filters()
    question = "婚后老婆的工资算不算共同财产？"
    reranked = engine.rank(backend, question, filters=filters, limit=5, ranker=models)
    assert reranked and reranked != engine.rank(backend, question, filters=filters, limit=5)
    keys = [r.key for r in search_articles(request=SearchRequest(q=question, scope="all", limit=3))]
    assert keys[0] == "民法典#第一千零六十二条"
    keyword = "听证"
    assert engine.rank(backend, keyword, filters=filters, limit=5, ranker=models) == engine.rank(
        backend, keyword, filters=filters, limit=5
    )


def test_search_eval_reports_the_seen_and_unseen_split(trained, pairs_file, capsys):
    call_command("search_eval", "--queries", str(pairs_file), "--scope", "all", "--json")
    result = json.loads(capsys.readouterr().out)
    assert result["ranker"] == artefact.current().version
    assert result["seen"]["n"] == len(PAIRS) and result["unseen"]["n"] == 0
    assert result["recall@10"] == 1.0
    call_command("search_eval", "--queries", str(pairs_file), "--scope", "all", "--json", "--no-ranker")
    assert json.loads(capsys.readouterr().out)["ranker"] is None


def test_the_search_ranks_as_before_without_a_ranker_or_with_a_broken_one(trained, settings):
    question = "婚后老婆的工资算不算共同财产？"
    lexical = ranked_keys(q=question, filters=Filters(), limit=10)  # today's ranking, no re-ranker
    directory = artefact.current_directory()
    (directory / "booster.txt").write_text("garbage", encoding="utf-8")
    artefact._cache.clear()
    assert artefact.current() is None
    broken = search_articles(request=SearchRequest(q=question, scope="all"))
    (directory.parent / "CURRENT").unlink()
    assert artefact.current() is None
    none = search_articles(request=SearchRequest(q=question, scope="all"))
    assert [r.key for r in broken] == [r.key for r in none] == lexical


def test_the_law_classifier_names_the_law_of_plain_words():
    pairs = [Pair(p["query"], tuple(p["relevant"])) for p in PAIRS]
    classifier = lawclass.train(
        [Pair(p.query, tuple(k.replace("中华人民共和国", "") for k in p.relevant)) for p in pairs]
    )
    probs = classifier.probabilities("老婆挣的工资归谁")
    assert max(probs, key=probs.get) == "民法典"
    assert abs(sum(probs.values()) - 1) < 1e-6


def test_the_answers_of_a_pairs_file_teach_the_prior_their_words(tmp_path):
    """The retrieval file's lawyer-written answers are more text about the same articles (issue 17): read with the
    pairs (a non-text answer, as the file's one NaN, is none) and learned by the prior and the law classifier."""
    path = tmp_path / "pairs.jsonl"
    rows = [
        {"query": "老公的工资算不算两个人的", "relevant": ["民法典#第一千零六十二条"],
         "answer": "夫妻在婚姻关系存续期间所得的工资、奖金为夫妻的共同财产。"},
        {"query": "吊销执照前能不能听证", "relevant": ["行政处罚法#第六十三条"], "answer": float("nan")},
    ]  # fmt: skip
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    pairs = read_pairs(path)
    assert pairs[0].answer.startswith("夫妻在婚姻关系存续期间") and pairs[1].answer == ""
    texts = learned.with_answers(pairs)
    assert [p.query for p in texts[2:]] == [pairs[0].answer] and texts[2].relevant == pairs[0].relevant
    question = parse_query("婚姻关系存续期间得的奖金")
    key = pairs[0].relevant[0]
    assert learned.train(texts).scores(question)[0].get(key, 0) > learned.train(pairs).scores(question)[0].get(key, 0)
