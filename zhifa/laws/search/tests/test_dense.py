"""The dense space (issue 17): an LSA of the corpus, learned from it alone, brings articles that share no term with the
question into the re-ranker's candidates; it is stored with the version and read back the same; a version trained
before it keeps reading its own features."""

import json

import numpy as np
import pytest

from zhifa.laws.search import artefact, dense, lawclass, learned, rerank, resolve
from zhifa.laws.search.artefact import Models
from zhifa.laws.search.backends import Filters, get_backend
from zhifa.laws.search.learned import Pair
from zhifa.laws.search.query import parse_query

pytestmark = pytest.mark.django_db

PAIRS = [
    Pair("老公的工资算不算两个人的", ("民法典#第一千零六十二条",)),
    Pair("结婚以后挣的钱归谁", ("民法典#第一千零六十二条",)),
    Pair("两年没发现的违法行为还罚吗", ("行政处罚法#第三十六条",)),
    Pair("吊销执照前能不能听证", ("行政处罚法#第六十三条",)),
]
# Shares no word and no bigram with 第一千零七十九条 (离婚), which no training question cites: the prior proposes
# 第一千零六十二条 (夫妻共同财产), and the space carries the question on to the other 夫妻 article.
QUESTION = "老婆挣的钱算谁的"
NEIGHBOUR = "民法典#第一千零七十九条"


@pytest.fixture
def space(search_laws):
    return dense.build(resolve.article_texts(), dimensions=4, min_df=1)


def test_the_space_holds_every_article_and_keeps_to_the_scope(space):
    assert len(space.keys) == 10 and space.matrix.shape == (10, 4)
    assert np.allclose(np.linalg.norm(space.matrix, axis=1), 1, atol=1e-5)
    vector = space.vector(parse_query("市场监督管理部门听证"))
    everywhere = space.nearest(vector, 10)
    national = space.nearest(vector, 10, ("",))
    assert "江北省市场监督管理条例#第十条" in everywhere and len(national) == 8
    assert all(not key.startswith(("江北省", "山东省")) for key in national)
    assert space.vector(parse_query("ｘｙｚ")) is None and space.nearest(None, 5) == {}


def test_a_question_reaches_an_article_it_shares_no_term_with(space):
    parsed = parse_query(QUESTION)
    article = resolve.article_texts()[[row[0] for row in resolve.article_texts()].index(NEIGHBOUR)][3]
    assert not {*parsed.words, *parsed.bigrams} & {*dense.tokenize.words(article), *dense.tokenize.bigrams(article)}
    prior = learned.train(PAIRS)
    articles, _laws = prior.scores(parsed)
    assert NEIGHBOUR not in articles
    vector = space.vector(parsed, articles, expand=1.0)
    assert NEIGHBOUR in space.nearest(vector, 3, ("",))

    settings = rerank.Settings(dense_top=3)
    models = Models(None, prior, lawclass.train(PAIRS), {}, {}, settings, dense=space)
    backend = get_backend()
    with backend.one_search():
        pool = rerank.candidates(backend, parsed, Filters(regions=("",)), models, settings)
        _ids, matrix, keys = rerank.features(backend, parsed, pool, models)
    assert NEIGHBOUR in keys
    assert matrix[keys.index(NEIGHBOUR), rerank.FEATURES.index("dense_cos")] > 0
    without = rerank.Settings(dense_top=0, scan_laws=0)
    with backend.one_search():
        plain = rerank.candidates(
            backend, parsed, Filters(regions=("",)), Models(None, prior, None, {}, {}, without), without
        )
    assert resolve.ids_of_keys([NEIGHBOUR])[NEIGHBOUR] not in plain.ids


def test_the_space_is_stored_with_the_version_and_read_back_the_same(space, tmp_path):
    import lightgbm

    x = np.random.default_rng(7).random((40, len(rerank.FEATURES)))
    booster = lightgbm.train(
        {"objective": "lambdarank", "min_data_in_leaf": 1, "verbose": -1},
        lightgbm.Dataset(x, np.array([1, 0, 0, 0] * 10), group=[10] * 4),
        num_boost_round=2,
    )
    directory = artefact.save(
        Models(booster, None, None, {}, {}, rerank.Settings(), dense=space), info={}, base=tmp_path
    )
    loaded = artefact.load(directory)
    vector = space.vector(parse_query("夫妻的工资"))
    assert loaded.dense is not None and loaded.columns is None
    assert list(loaded.dense.nearest(vector, 5)) == list(space.nearest(vector, 5))
    assert loaded.dense.cosines(vector, ["民法典#第五十四条", "没有#第一条"])[1] == 0.0


def test_a_version_trained_before_the_dense_feature_reads_its_own_columns(tmp_path):
    import lightgbm

    older = [f for f in rerank.FEATURES if f not in rerank.OPTIONAL_FEATURES]
    x = np.random.default_rng(7).random((40, len(older)))
    booster = lightgbm.train(
        {"objective": "lambdarank", "min_data_in_leaf": 1, "verbose": -1},
        lightgbm.Dataset(x, np.array([1, 0, 0, 0] * 10), group=[10] * 4),
        num_boost_round=2,
    )
    directory = artefact.save(Models(booster, None, None, {}, {}, rerank.Settings()), info={}, base=tmp_path)
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    manifest["features"] = older
    for name in ("dense_top", "dense_expand"):
        del manifest["settings"][name]
    (directory / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    loaded = artefact.load(directory)
    assert loaded.settings.dense_top == 0 and loaded.dense is None
    assert loaded.columns == [rerank.FEATURES.index(f) for f in older]
    full = np.random.default_rng(8).random((5, len(rerank.FEATURES)))
    assert loaded.booster.predict(full[:, loaded.columns]).shape == (5,)


def test_pseudo_relevance_feedback_moves_the_question_towards_the_lexical_best(space, search_laws):
    parsed = parse_query("市场监督管理部门听证")
    plain = space.vector(parsed)
    best = "民法典#第一千零六十二条"
    moved = space.vector(parsed, feedback=[best, "没有#第一条"], feedback_weight=1.0)
    assert np.allclose(space.vector(parsed, feedback=[best], feedback_weight=0.0), plain)
    assert np.isclose(np.linalg.norm(moved), 1, atol=1e-5)
    assert space.cosines(moved, [best])[0] > space.cosines(plain, [best])[0]
    assert space.vector(parse_query("ｘｙｚ"), feedback=[best], feedback_weight=1.0) is not None

    settings = rerank.Settings(dense_top=3, dense_feedback=2, dense_feedback_weight=1.0)
    models = Models(None, None, None, {}, {}, settings, dense=space)
    backend = get_backend()
    with backend.one_search():
        pool = rerank.candidates(backend, parsed, Filters(regions=("",)), models, settings)
    words = sorted(pool.word, key=lambda doc_id: pool.word[doc_id][1])[:2]
    key_of = resolve.keys_of_ids(words)
    expected = space.vector(parsed, feedback=[key_of[i] for i in words], feedback_weight=1.0)
    assert words and np.allclose(pool.dense_vector, expected)
