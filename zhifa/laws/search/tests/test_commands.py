import json

import pytest
from django.core.management import CommandError, call_command

from zhifa.laws.search import learned
from zhifa.laws.search.backends import get_backend

pytestmark = pytest.mark.django_db

PAIRS = [
    {"query": "两年没发现的违法行为还罚吗", "relevant": ["行政处罚法#第三十六条"]},
    {"query": "违法行为多久不处罚", "relevant": ["行政处罚法#第36条"]},
    {"query": "老公的工资算不算两个人的", "relevant": ["中华人民共和国民法典#第一千零六十二条"]},
    {"query": "结婚以后挣的钱归谁", "relevant": ["民法典#第一千零六十二条"]},
    {"query": "开小店要登记吗", "relevant": ["民法典#第五十四条"]},
]


@pytest.fixture
def pairs_file(tmp_path):
    path = tmp_path / "pairs.jsonl"
    path.write_text("\n".join(json.dumps(p, ensure_ascii=False) for p in PAIRS), encoding="utf-8")
    return path


@pytest.fixture
def prior_path(tmp_path, settings):
    settings.ZHIFA_SEARCH_PRIOR = tmp_path / "prior.npz"
    return settings.ZHIFA_SEARCH_PRIOR


def evaluate(capsys, pairs_file, *args) -> dict:
    capsys.readouterr()
    call_command("search_eval", "--queries", str(pairs_file), "--json", *args)
    return json.loads(capsys.readouterr().out.strip())


def test_search_eval_prints_one_line_of_figures(search_laws, pairs_file, prior_path, capsys):
    result = evaluate(capsys, pairs_file, "--scope", "all")
    assert set(result) == {"n", "recall@1", "recall@5", "recall@10", "recall@100", "mrr@10", "p95_ms", "ranker"}
    assert result["n"] == len(PAIRS)
    assert 0 < result["recall@100"] <= 1 and result["recall@1"] <= result["recall@10"] <= result["recall@100"]


def test_training_teaches_plain_words_the_articles_they_mean(search_laws, pairs_file, prior_path, capsys):
    query = "老婆挣的钱归谁"
    before = learned.current_prior()
    assert before is None
    call_command("train_search", "--pairs", str(pairs_file), "--no-citations")
    assert prior_path.exists()
    prior = learned.current_prior()
    from zhifa.laws.search.query import parse_query

    articles, laws = prior.scores(parse_query(query))
    assert next(iter(sorted(articles, key=articles.get, reverse=True))) == "民法典#第一千零六十二条"
    assert max(laws, key=laws.get) == "民法典"
    with_prior = evaluate(capsys, pairs_file, "--scope", "all")
    without = evaluate(capsys, pairs_file, "--scope", "all", "--no-prior")
    assert with_prior["mrr@10"] >= without["mrr@10"]


def test_training_uses_the_platforms_own_citations(search_laws, prior_path, officer, capsys):
    from django.contrib.contenttypes.models import ContentType

    from zhifa.laws.models import Citation, Law

    law = search_laws["民法典"]  # any model with a text field stands in for a question citing an article
    Law.objects.filter(pk=law.pk).update(title="中华人民共和国民法典")
    Citation.objects.create(
        content_type=ContentType.objects.get_for_model(Law), object_id=law.pk, article_key="民法典#第五十四条"
    )
    call_command("train_search")
    assert "1 个平台引用" in capsys.readouterr().out
    assert learned.current_prior().articles == ["民法典#第五十四条"]


def test_search_works_lexically_when_the_artefact_is_unreadable(search_laws, pairs_file, prior_path, capsys):
    prior_path.write_bytes(b"not a model")
    assert learned.current_prior() is None
    assert evaluate(capsys, pairs_file, "--scope", "all")["recall@100"] > 0


def test_bad_pairs_files_and_scopes_are_reported(search_laws, tmp_path, prior_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"query": "x", "relevant": ["民法典#第一条"]}\nnot json\n', encoding="utf-8")
    with pytest.raises(CommandError, match="第2行"):
        call_command("search_eval", "--queries", str(bad), "--json")
    with pytest.raises(CommandError, match="第2行"):
        call_command("train_search", "--pairs", str(bad), "--no-citations")
    with pytest.raises(CommandError, match="未知的检索范围"):
        call_command("search_eval", "--queries", str(bad), "--scope", "moon")
    with pytest.raises(CommandError, match="没有可用于训练"):
        call_command("train_search", "--no-citations")


def test_build_search_index_rebuilds_everything(search_laws, capsys):
    call_command("build_search_index")
    assert get_backend().count() == 10
    assert "已索引 10 条条文" in capsys.readouterr().out


def test_sync_search_index_builds_a_missing_index_then_reports_only_changes(search_laws, settings, tmp_path, capsys):
    settings.ZHIFA_SEARCH_INDEX = tmp_path / "new-server"
    call_command("sync_search_index")
    assert "已从数据库重建，10 条条文" in capsys.readouterr().out
    assert get_backend().count() == 10
    call_command("sync_search_index")
    assert capsys.readouterr().out == ""  # every minute from a timer: silent when there is nothing to do


def test_sync_search_index_names_an_unusable_directory(db, settings, tmp_path):
    (tmp_path / "a-file").write_text("x")
    settings.ZHIFA_SEARCH_INDEX = tmp_path / "a-file" / "index"
    with pytest.raises(CommandError, match=r"无法创建法规检索索引的锁文件|无法创建或打开"):
        call_command("sync_search_index")


def test_the_import_service_indexes_new_versions(db):
    from zhifa.laws.services import law_import_text

    text = (
        "中华人民共和国测试法\n2021年1月22日 第十三届全国人民代表大会常务委员会第二十五次会议通过\n"
        "第一条 为了规范听证程序，制定本法。\n"
    )
    law_import_text(text=text, source_name="测试法.txt")
    from zhifa.laws.search.queries import SearchRequest, search_articles

    results = search_articles(request=SearchRequest(q="听证程序", scope="all"))
    assert [r.key for r in results] == ["测试法#第一条"]
