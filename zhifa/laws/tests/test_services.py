"""Importing texts, versions, citations and stale-content flags through the services."""

import datetime as dt

import pytest

from zhifa.laws import services
from zhifa.laws.models import Citation, Law, LawVersion, Provision
from zhifa.laws.parser import ParseError
from zhifa.laws.seeding import samples_seed
from zhifa.people.models import Domain

V1 = """江北市示例规定

2021年6月15日 江北市人民政府令第8号公布

第一条 为了示例，制定本规定。

第二条 证件有效期为三年。

第三条 证件遗失的，应当及时报告。

第四条 调离岗位的，应当收回证件。
"""
V2 = """江北市示例规定

2021年6月15日 江北市人民政府令第8号公布

2024年9月20日 江北市人民政府令第21号修订

第一条 为了示例，制定本规定。

第二条 证件有效期为五年。

第三条 调离岗位的，应当收回证件。
"""


@pytest.fixture
def cited(db):
    """A Domain row citing two articles of the first version (any model can cite)."""
    services.law_import_text(text=V1, category="local_regulation", region="江北省")
    target = Domain.objects.create(code="sample", name="示例领域")
    services.citation_set(obj=target, article_keys=["江北市示例规定#第二条", "江北市示例规定#第三条"])
    return target


def test_import_creates_a_law_its_version_and_provisions(db):
    result = services.law_import_text(text=V1, source_name="v1.txt")
    assert result.status == "created" and result.articles == 4
    law = Law.objects.get()
    assert (law.title, law.short_title, law.category) == ("江北市示例规定", "江北市示例规定", "departmental_rule")
    version = law.versions.get()
    assert version.is_current and version.status == LawVersion.Status.IN_FORCE
    assert version.provisions.filter(kind="article").count() == 4
    assert version.provisions.get(key="江北市示例规定#第二条").children.get().text == "证件有效期为三年。"


def test_importing_the_same_text_twice_is_unchanged(db):
    services.law_import_text(text=V1)
    again = services.law_import_text(text=V1.replace("\n", "\r\n").replace(" ", "\u3000"))
    assert again.status == "unchanged"
    assert LawVersion.objects.count() == 1 and Provision.objects.filter(kind="article").count() == 4


def test_a_newer_text_becomes_the_current_version(db):
    services.law_import_text(text=V1)
    result = services.law_import_text(text=V2)
    assert result.status == "created"
    old, new = LawVersion.objects.order_by("version_date")
    assert (old.is_current, old.status) == (False, LawVersion.Status.AMENDED)
    assert (new.is_current, new.status) == (True, LawVersion.Status.IN_FORCE)
    assert services.article_get("江北市示例规定#第二条").text == "证件有效期为五年。"


def test_an_older_text_imported_later_stays_an_earlier_version(db):
    services.law_import_text(text=V2)
    services.law_import_text(text=V1)
    assert LawVersion.objects.get(is_current=True).version_date == dt.date(2024, 9, 20)


def test_a_future_version_is_not_yet_effective(db, time_machine):
    time_machine.move_to(dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    services.law_import_text(text=V1)
    services.law_import_text(text=V2)
    assert LawVersion.objects.get(version_date=dt.date(2024, 9, 20)).status == LawVersion.Status.NOT_YET_EFFECTIVE
    assert LawVersion.objects.get(is_current=True).version_date == dt.date(2021, 6, 15)


def test_a_different_text_with_the_same_date_needs_replace(db):
    services.law_import_text(text=V1)
    corrected = V1.replace("三年", "四年")
    with pytest.raises(services.ImportConflict, match="--replace"):
        services.law_import_text(text=corrected)
    assert services.article_get("江北市示例规定#第二条").text == "证件有效期为三年。"
    assert services.law_import_text(text=corrected, replace=True).status == "updated"
    assert services.article_get("江北市示例规定#第二条").text == "证件有效期为四年。"


def test_a_bad_text_imports_nothing(db):
    with pytest.raises(ParseError):
        services.law_import_text(text="江北市示例规定\n第一条 甲。\n第一条 甲。")
    assert not Law.objects.exists()


def test_a_text_without_any_date_imports_with_its_date_to_be_confirmed(db):
    text = "江北市无日期规定\n第一条 正文。"
    pending = services.law_import_text(text=text)
    assert not pending.version.date_confirmed and pending.version.version_date == services.UNKNOWN_DATE
    assert pending.as_dict()["date_pending"] is True
    result = services.law_import_text(text=text, version_date=dt.date(2020, 1, 1))
    assert result.version.pk == pending.version.pk and result.status == "updated"
    assert result.version.version_date == dt.date(2020, 1, 1) and result.version.date_confirmed


def test_citations_of_changed_moved_and_removed_articles_are_flagged(cited):
    services.law_import_text(text=V2)
    second = Citation.objects.get(article_key="江北市示例规定#第二条")
    third = Citation.objects.get(article_key="江北市示例规定#第三条")
    assert second.needs_review and "三年" in second.review_note and "五年" in second.review_note
    assert third.needs_review and "删除" in third.review_note


def test_unchanged_articles_are_not_flagged(db):
    services.law_import_text(text=V1)
    target = Domain.objects.create(code="sample", name="示例领域")
    services.citation_set(obj=target, article_keys=["江北市示例规定#第一条"])
    services.law_import_text(text=V2)
    assert not Citation.objects.get().needs_review


def test_citation_set_replaces_and_keeps(cited):
    citations = services.citation_set(obj=cited, article_keys=["江北市示例规定#第3条", "江北市示例规定#第一条"])
    assert [c.article_key for c in citations] == ["江北市示例规定#第三条", "江北市示例规定#第一条"]
    assert Citation.objects.filter(object_id=cited.pk).count() == 2


def test_an_unknown_key_raises_a_chinese_message_and_changes_nothing(cited):
    with pytest.raises(services.UnknownArticle) as caught:
        services.citation_set(obj=cited, article_keys=["江北市示例规定#第一条", "江北市示例规定#第九十条"])
    message = str(caught.value)
    assert "江北市示例规定#第九十条" in message and "共4条" in message and "格式如" in message
    assert Citation.objects.filter(object_id=cited.pk).count() == 2


@pytest.mark.parametrize(
    "key, reason",
    [
        ("不存在的法#第一条", "没有《不存在的法》"),
        ("行政处罚法第一条", "法规简称#第X条"),
        ("行政处罚法#第一章", "不是条文编号"),
    ],
)
def test_article_get_explains_bad_keys(db, key, reason):
    with pytest.raises(services.UnknownArticle, match=reason):
        services.article_get(key)


def test_review_done_clears_the_flag(cited, sysadmin):
    services.law_import_text(text=V2)
    citation = Citation.objects.get(article_key="江北市示例规定#第二条")
    services.citation_review_done(citation=citation, by=sysadmin)
    citation.refresh_from_db()
    assert not citation.needs_review and citation.version.is_current


def test_post_import_hooks_receive_each_new_version(db, monkeypatch):
    seen = []
    monkeypatch.setattr(services, "POST_IMPORT_HOOKS", [seen.append])
    services.law_import_text(text=V1)
    services.law_import_text(text=V1)
    assert [v.version_date for v in seen] == [dt.date(2021, 6, 15)]


def test_samples_seed_is_idempotent(db):
    assert {r.status for r in samples_seed()} == {"created"}
    assert {r.status for r in samples_seed()} == {"unchanged"}
    law = Law.objects.get(short_title="江北市行政执法证件管理规定")
    assert (law.region, law.category, law.versions.count()) == ("江北省", "local_regulation", 2)


def test_the_default_hook_hands_new_versions_to_the_search_index(db, with_search_hook, monkeypatch):
    seen = []
    monkeypatch.setattr("zhifa.laws.search.index_version", seen.append)
    result = services.law_import_text(text=V1)
    services.law_import_text(text=V1)
    assert seen == [result.version]
