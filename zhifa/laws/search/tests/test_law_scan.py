"""The re-ranker's law scan (issue 17): an officer's question in his own words shares no word with the article that
answers it, so the word pool never holds that article; the law the classifier names is read whole and its articles
scored by the question's bigrams, which brings the article into the candidates. A version trained before the scan
existed keeps its candidates as they were."""

import dataclasses
import json

import pytest

from zhifa.laws.search import artefact, lawclass, rerank
from zhifa.laws.search.artefact import Models
from zhifa.laws.search.backends import Filters, get_backend
from zhifa.laws.search.learned import Pair
from zhifa.laws.search.query import parse_query
from zhifa.laws.search.resolve import ids_of_keys

pytestmark = pytest.mark.django_db

# "两口子的离婚案怎么说和": its words (两口子, 离婚案, 说) are none of 第一千零七十九条's; the bigram 离婚 is.
QUESTION = "两口子的离婚案怎么说和"
ANSWER = "民法典#第一千零七十九条"
PAIRS = [
    Pair("老公的工资算不算两个人的", ("民法典#第一千零六十二条",)),
    Pair("结婚以后挣的钱归谁", ("民法典#第一千零六十二条",)),
    Pair("两口子过日子的钱怎么算", ("民法典#第一千零六十二条",)),
    Pair("两年没发现的违法行为还罚吗", ("行政处罚法#第三十六条",)),
    Pair("罚款前要不要让当事人说话", ("行政处罚法#第四十四条",)),
    Pair("吊销执照前能不能听证", ("行政处罚法#第六十三条",)),
]


def _models(settings: rerank.Settings) -> Models:
    return Models(None, None, lawclass.train(PAIRS), {}, {}, settings)


def test_the_predicted_laws_articles_without_a_question_word_enter_the_pool(search_laws):
    backend = get_backend()
    parsed = parse_query(QUESTION)
    answer = ids_of_keys([ANSWER])[ANSWER]
    settings = rerank.Settings()
    assert settings.scan_laws == 3  # what train_search trains with
    models = _models(settings)
    assert max(models.classifier.probabilities(QUESTION).items(), key=lambda kv: kv[1])[0] == "民法典"
    with backend.one_search():
        pool = rerank.candidates(backend, parsed, Filters(), models, settings)
    assert answer not in pool.word  # no word of the question is in it
    assert answer in pool.ids
    ids, matrix, keys = rerank.features(backend, parsed, pool, models)
    assert ANSWER in keys and matrix[ids.index(answer), rerank.FEATURES.index("bigram_bm25")] > 0

    without = dataclasses.replace(settings, scan_laws=0)
    with backend.one_search():
        assert answer not in rerank.candidates(backend, parsed, Filters(), _models(without), without).ids


def test_the_scan_keeps_to_the_scope(search_laws):
    backend = get_backend()
    law_ids = tuple(search_laws[name].id for name in ("江北省市场监督管理条例", "山东省市场监督管理条例"))
    found = rerank.law_scan(backend, parse_query("听证怎么申请"), Filters(regions=("", "江北省")), law_ids, 5)
    keys = {key for key, doc_id in ids_of_keys(["江北省市场监督管理条例#第十条"]).items() if doc_id in found}
    assert keys == {"江北省市场监督管理条例#第十条"} and len(found) == 1


def test_a_version_trained_before_the_scan_keeps_its_candidates(tmp_path):
    import lightgbm
    import numpy as np

    x = np.random.default_rng(7).random((40, len(rerank.FEATURES)))
    booster = lightgbm.train(
        {"objective": "lambdarank", "min_data_in_leaf": 1, "verbose": -1},
        lightgbm.Dataset(x, np.array([1, 0, 0, 0] * 10), group=[10] * 4),
        num_boost_round=2,
    )
    scanning = rerank.Settings(scan_laws=3)
    directory = artefact.save(Models(booster, None, None, {}, {}, scanning), info={}, base=tmp_path)
    assert artefact.load(directory).settings == scanning
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    for name in rerank.ABSENT:
        del manifest["settings"][name]
    (directory / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert artefact.load(directory).settings.scan_laws == 0


def test_counts_are_those_of_str_count():
    texts = ["违法行为违法", "", "行政处罚，处罚决定", "罚罚罚罚", "违法"]
    terms = ["违法", "处罚", "罚罚", "无关"]
    expected = [[t.count(term) for term in terms] for t in texts]
    assert rerank.counts(texts, terms).tolist() == expected
