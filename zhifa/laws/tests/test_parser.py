"""The parser: structure, dates, table of contents, round trip, errors, encodings and file formats."""

import datetime as dt
import io

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhifa.common.text import article_label, normalize_text
from zhifa.laws.parser import ParseError, parse_law, render, short_title
from zhifa.laws.sources import decode_bytes, file_text, markdown_to_text

LAW = """中华人民共和国示例法

（2001年3月1日第九届全国人大常委会第二十次会议通过　根据2021年1月22日第十三届全国人大常委会第二十五次会议修订）

目　　录

第一章　总则

第二章\u2002罚则

第一章　总则

第一条　为了示例，制定本法。

第二条 本法所称示例，包括：

（一）甲；

（二）乙：

1.乙一；

2.乙二。

前款规定的示例，依照本法第一条执行。

第二章\u2002罚则

第一节 一般规定

第三条 违反本法第二条规定的，处罚款。

第三条之一 新增的条文。

附　　则

第四条 本法自2021年7月15日起施行。
"""


def test_structure_of_a_law():
    law = parse_law(LAW)
    assert law.title == "中华人民共和国示例法"
    assert [a.label for a in law.articles()] == ["第一条", "第二条", "第三条", "第三条之一", "第四条"]
    assert law.toc == ["第一章 总则", "第二章 罚则"]
    chapter_one, chapter_two, annex = law.body
    assert (chapter_one.kind, chapter_one.label, chapter_one.heading) == ("chapter", "第一章", "总则")
    assert annex.kind == "chapter" and annex.heading == "附 则"
    section = chapter_two.children[0]
    assert section.kind == "section" and section.children[0].label == "第三条"
    article_two = chapter_one.children[1]
    first, second = article_two.children
    assert first.text == "本法所称示例，包括："
    assert [item.label for item in first.children] == ["（一）", "（二）"]
    assert [sub.label for sub in first.children[1].children] == ["1.", "2."]
    assert second.label == "第二款" and second.text.startswith("前款")
    assert article_two.article_text().splitlines()[0] == "本法所称示例，包括："


def test_dates_come_from_the_history_lines():
    law = parse_law(LAW)
    assert law.promulgated == dt.date(2001, 3, 1)
    assert law.amended == dt.date(2021, 1, 22)
    assert law.version_date == dt.date(2021, 1, 22)


@pytest.mark.parametrize(
    "history, promulgated, version_date, effective",
    [
        (
            [
                "2019年10月8日 国务院第66次常务会议通过",
                "2019年10月22日 中华人民共和国国务院令第722号公布",
                "2020年1月1日 施行",
            ],
            dt.date(2019, 10, 22),
            dt.date(2019, 10, 22),
            dt.date(2020, 1, 1),
        ),
        (
            ["二〇二一年一月二十二日 第十三届全国人民代表大会常务委员会第二十五次会议通过"],
            dt.date(2021, 1, 22),
            dt.date(2021, 1, 22),
            None,
        ),
        (
            ["２０１２年１２月１９日 中华人民共和国公安部令第１２５号发布"],
            dt.date(2012, 12, 19),
            dt.date(2012, 12, 19),
            None,
        ),
    ],
)
def test_date_table(history, promulgated, version_date, effective):
    law = parse_law("\n".join(["某条例", *history, "第一条 正文。"]))
    assert (law.promulgated, law.version_date, law.effective) == (promulgated, version_date, effective)


def test_preamble_lines_are_kept_apart_from_history():
    law = parse_law("中华人民共和国宪法\n1982年12月4日 通过\n序言\n一九四九年，中国人民……\n第一条 正文。")
    assert law.history == ["1982年12月4日 通过"]
    assert law.preamble == ["序言", "一九四九年，中国人民……"]


def test_rendering_gives_back_the_text():
    assert normalize_text(render(parse_law(LAW))) == normalize_text(LAW)


def test_short_title_strips_the_state_name():
    assert short_title("中华人民共和国行政处罚法") == "行政处罚法"
    assert short_title("优化营商环境条例") == "优化营商环境条例"


_TEXT = st.text(alphabet="的法规定行政处罚机关当事人应当可以，。、；：", min_size=1, max_size=30)
_WS = st.sampled_from([" ", "\u3000", "\u2002", "\u00a0", "  "])


@st.composite
def laws(draw):
    lines = [draw(_TEXT) + "法", "2020年1月2日 通过"]
    article = 0
    for chapter in range(1, draw(st.integers(1, 3)) + 1):
        lines.append(f"第{article_label(chapter)[1:-1]}章{draw(_WS)}{draw(_TEXT)}")
        for _ in range(draw(st.integers(1, 4))):
            article += 1
            lines.append(f"{article_label(article)}{draw(_WS)}{draw(_TEXT)}")
            for _ in range(draw(st.integers(0, 2))):
                lines.append(draw(st.sampled_from(["", "（一）", "（二）"])) + draw(_TEXT))
    separator = draw(st.sampled_from(["\n", "\n\n", "\r\n"]))
    return separator.join(lines)


@settings(max_examples=60, deadline=None)
@given(laws())
def test_any_generated_law_round_trips(text):
    parsed = parse_law(text)
    rendered = render(parsed)
    assert normalize_text(rendered) == normalize_text(text)
    assert render(parse_law(rendered)) == rendered


@pytest.mark.parametrize(
    "text, line, reason",
    [
        ("", 1, "文件为空"),
        ("\n\n  \n", 1, "文件为空"),
        ("第一条 没有标题。", 1, "标题"),
        ("示例说明\n2020年1月1日 通过\n只有一段说明文字", 3, "未找到任何条文"),
        ("示例法\n第一条 甲。\n第二条 乙。\n第一条 甲。", 4, "重复"),
        ("示例法\n第一条 甲。\n第三条 丙。\n第二条 乙。", 4, "顺序"),
    ],
)
def test_unparsable_texts_name_the_line_and_reason(text, line, reason):
    with pytest.raises(ParseError) as caught:
        parse_law(text)
    assert caught.value.line == line
    assert reason in str(caught.value)
    assert f"第{line}行" in str(caught.value)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_encodings_are_detected(encoding):
    text = LAW.replace("\u2002", "\u3000")  # GBK has no U+2002
    assert decode_bytes(text.encode(encoding)) == text


def test_binary_files_are_refused():
    with pytest.raises(ParseError, match="不是文本文件"):
        decode_bytes(b"\x00\x01\x02PK")


def test_markdown_markers_are_removed():
    text = "---\ntitle: x\n---\n# 示例法\n<!-- INFO END -->\n## 第一章 总则\n第一条 正文。\n"
    assert [a.label for a in parse_law(markdown_to_text(text)).articles()] == ["第一条"]


def test_docx_paragraphs_are_read():
    document = docx.Document()
    for line in LAW.splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    law = parse_law(file_text("示例法.docx", buffer.getvalue()))
    assert len(law.articles()) == 5


def test_a_broken_docx_and_other_suffixes_are_refused():
    with pytest.raises(ParseError, match="docx"):
        file_text("坏文件.docx", b"not a zip")
    with pytest.raises(ParseError, match="不支持的文件类型"):
        file_text("表格.xlsx", b"x")


def test_a_broken_utf8_file_with_a_bom_is_refused_clearly():
    with pytest.raises(ParseError, match="UTF-8"):
        decode_bytes(b"\xef\xbb\xbf\xff\xfe\xfa")


def test_an_overlong_title_is_refused():
    with pytest.raises(ParseError, match="标题超过"):
        parse_law("法" * 101 + "\n第一条 正文。")
