import pytest

from zhifa.laws.search import tokenize


def test_legal_dictionary_terms_stay_whole_and_yield_their_parts():
    words = tokenize.words("行政处罚的追诉时效是多久")
    assert "追诉时效" in words
    assert {"追诉", "时效"} <= set(words)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("行政处罚", ["行政", "政处", "处罚"]),
        ("罚款，警告", ["罚款", "警告"]),
        ("第3条 ABC", ["第", "3", "条", "abc"]),
        ("税", ["税"]),
        ("", []),
    ],
)
def test_bigrams_follow_each_run_of_characters(text, expected):
    assert tokenize.bigrams(text) == expected


def test_full_width_text_is_normalised():
    assert tokenize.words("ＡＢＣ１２３") == ["abc123"]


def test_terms_are_letters_and_digits_only():
    terms = tokenize.words('"行政处罚" NEAR(a*, b) -x : 。，！') + tokenize.bigrams('"行政" *:() -')
    assert terms and all(t.isalnum() for t in terms)
