"""Comparing versions article by article, and wording word by word."""

from hypothesis import given
from hypothesis import strategies as st

from zhifa.laws.diff import (
    ADDED,
    CHANGED,
    REMOVED,
    RENUMBERED,
    UNCHANGED,
    Article,
    change_note,
    compare_articles,
    inline_diff,
    similarity,
    summary,
)

OLD = [
    Article("第一条", "为了规范行政执法证件管理，制定本规定。"),
    Article("第二条", "行政执法证件有效期为三年。"),
    Article("第三条", "证件遗失的，应当及时报告发证机关并登报声明作废。"),
    Article("第四条", "行政执法人员调离执法岗位的，所在机关应当收回其行政执法证件。"),
]
NEW = [
    Article("第一条", "为了规范行政执法证件管理，保障依法履职，制定本规定。"),
    Article("第二条", "行政执法证件有效期为五年。"),
    Article("第三条", "行政执法人员调离执法岗位的，所在机关应当收回其行政执法证件。"),
    Article("第四条", "出示电子证件的，当事人可以扫描二维码核验身份。"),
]


def test_each_kind_of_change_is_found():
    changes = compare_articles(OLD, NEW)
    kinds = {(c.kind, c.old.label if c.old else None, c.new.label if c.new else None) for c in changes}
    assert kinds == {
        (CHANGED, "第一条", "第一条"),
        (CHANGED, "第二条", "第二条"),
        (REMOVED, "第三条", None),
        (RENUMBERED, "第四条", "第三条"),
        (ADDED, None, "第四条"),
    }
    assert summary(changes) == {ADDED: 1, REMOVED: 1, CHANGED: 2, RENUMBERED: 1, UNCHANGED: 0}


def test_changes_follow_the_new_order_with_removals_in_place():
    labels = [(c.old.label if c.old else "", c.new.label if c.new else "") for c in compare_articles(OLD, NEW)]
    assert labels == [("第一条", "第一条"), ("第二条", "第二条"), ("第三条", ""), ("第四条", "第三条"), ("", "第四条")]


def test_inline_diff_marks_inserted_and_deleted_words():
    parts = inline_diff("有效期为三年。", "有效期为五年。")
    assert ("delete", "三") in parts and ("insert", "五") in parts
    assert "".join(t for op, t in parts if op != "insert") == "有效期为三年。"


def test_change_note_quotes_both_wordings():
    change = compare_articles(OLD[1:2], NEW[1:2])[0]
    note = change_note(change, version_name="2024年版本")
    assert "第二条" in note and "三年" in note and "五年" in note


@given(
    st.lists(
        st.text(alphabet="甲乙丙丁戊己庚辛壬癸的了", min_size=8, max_size=40), min_size=1, max_size=12, unique=True
    )
)
def test_a_version_compared_with_itself_is_unchanged(texts):
    articles = [Article(f"第{i}条", t) for i, t in enumerate(texts)]
    changes = compare_articles(articles, articles)
    assert all(c.kind == UNCHANGED for c in changes) and len(changes) == len(articles)


@given(st.text(min_size=0, max_size=30), st.text(min_size=0, max_size=30))
def test_inline_diff_rebuilds_both_texts(old, new):
    parts = inline_diff(old, new)
    assert "".join(t for op, t in parts if op != "insert") == old
    assert "".join(t for op, t in parts if op != "delete") == new
    assert 0.0 <= similarity(old, new) <= 1.0
