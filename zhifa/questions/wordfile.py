"""Question banks as Word files (.docx) in the layout Chinese training offices keep them in, without the ORM.

    一、单选题                       a heading names the type of the questions below it (单选题 / 多选题 / 判断题 /
    1. 行政处罚决定书应当……（  ）       填空题 / 简答题; 单项选择题, 是非题, 问答题 … too)
    A. 七日   B. 十日                 options A.–H. on lines of their own or several on one line
    答案：A                          then labelled lines: 答案, 解析, 知识点, 法条依据, and optionally 难度,
    解析：见行政处罚法第六十一条。      用途 (练习 / 考试 / 两者), 编号, 来源; a line without a label continues the
    知识点：行政处罚程序               one above (a stem over two lines, a reference answer with 要点 or （1） lines)
    法条依据：行政处罚法#第六十一条

A line "1." / "1、" always starts a question; number the points of an answer （1）（2） instead.
Each question becomes the same values-by-column dict as an Excel row and is read by `spreadsheet.row_data`, so the
answers, difficulties and article keys mean the same in both files; errors name the paragraph ("第 N 行", counting
every paragraph of the document from 1) that holds the wrong part.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field

from zhifa.questions import content, spreadsheet
from zhifa.questions.checking import CHOICE_LABELS
from zhifa.questions.spreadsheet import ParsedFile, ParsedRow, RowError

MAX_PARAGRAPHS = 200_000
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
LABELS = {
    "答案": "答案", "参考答案": "答案", "正确答案": "答案", "解析": "解析", "答案解析": "解析", "试题解析": "解析",
    "知识点": "知识点", "法条依据": "法条依据", "法律依据": "法条依据", "依据": "法条依据", "难度": "难度",
    "用途": "用途", "编号": "编号", "试题编号": "编号", "来源": "来源", "执法领域": "执法领域",
}  # fmt: skip
WORD_KINDS = ("single", "multiple", "judge", "blank", "short")
_NUMERALS = "一二三四五六七八九十百"
_HEADING = re.compile(
    rf"^(?:第?[{_NUMERALS}\d]+[、.．部分]*\s*)?(?P<kind>[^\s（(：:，,]+?)\s*(?:[（(][^）)]*[）)])?\s*[:：]?$"
)
_STEM = re.compile(r"^\d{1,5}\s*[.．、]\s*(?P<text>.*)$")
_OPTION = re.compile(r"^(?P<label>[A-Ha-hＡ-Ｈ])\s*[.．、:：]\s*")
_NEXT_OPTION = re.compile(r"\s+(?=[A-HＡ-Ｈ]\s*[.．、]\s*)")
_LABEL = re.compile(r"^【?(?P<label>[^\s:：】]{2,4})】?\s*[:：]\s*(?P<text>.*)$")


@dataclass
class _Question:
    kind: str
    line: int
    stem: list[str] = field(default_factory=list)
    options: dict[str, str] = field(default_factory=dict)
    values: dict[str, list[str]] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)  # column → the paragraph it was on
    last: str = "题干"


def paragraphs(blob: bytes) -> list[str] | str:
    """The text of every paragraph of the document body (tables' cells in order too); a Chinese message when the
    file is no .docx."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(blob))
        if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED_BYTES:
            return "文件解压后超过 200 MB，请拆分成多个文件上传。"
        damaged = spreadsheet.damaged_member(archive)
        if damaged:
            return spreadsheet.damaged_message("Word", damaged)
        import docx  # python-docx; imported here so that the bank's other pages do not load it

        document = docx.Document(io.BytesIO(blob))
    # SyntaxError: XML that is no XML; NotImplementedError: a zip of a version or method zipfile cannot read (#19)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, SyntaxError, NotImplementedError):
        return "不是有效的 Word 文件（.docx）；.doc 或 WPS 文件请先在 Word/WPS 中“另存为” .docx 后上传。"
    except Exception as exc:  # python-docx raises its own errors for a zip that is not a document
        if type(exc).__module__.startswith("docx"):
            return "不是有效的 Word 文件（.docx）；请在 Word/WPS 中“另存为” .docx 后上传。"
        raise
    texts: list[str] = []
    for block in document.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            texts.append(_paragraph_text(block))
        elif tag == "tbl":
            texts.extend(_paragraph_text(p) for p in block.iter() if p.tag.endswith("}p"))
    return texts


def _paragraph_text(element) -> str:
    text = "".join(
        node.text or ("\n" if node.tag.endswith("}br") else "\t" if node.tag.endswith("}tab") else "")
        for node in element.iter()
        if node.tag.endswith(("}t", "}br", "}tab"))
    )
    return content.clean_text(text.replace("\t", " ")).strip()


def read_document(blob: bytes) -> ParsedFile:
    """Questions of a .docx; errors name the paragraph and the fix (in Chinese)."""
    result = ParsedFile()
    texts = paragraphs(blob)
    if isinstance(texts, str):
        result.errors.append(RowError(0, "", texts))
        return result
    if len(texts) > MAX_PARAGRAPHS:
        result.errors.append(RowError(0, "", f"文件超过 {MAX_PARAGRAPHS} 段，请拆分成多个文件上传。"))
        return result
    questions = _questions(texts, result.errors)
    for question in questions:
        data = _data(question, result.errors)
        if data is not None:
            result.rows.append(ParsedRow(question.line, data))
    if not questions and not result.errors:
        result.errors.append(
            RowError(0, "", "文件中没有找到试题：请用“一、单选题”等标题分类型，每题以“1.”编号开头（可下载样例对照）。")
        )
    return result


def _kind_of_heading(text: str) -> str | None:
    match = _HEADING.match(unicodedata.normalize("NFKC", text).replace(" ", ""))
    if match is None:
        return None
    return content.kind_from_name(match.group("kind"))


def _questions(texts: list[str], errors: list[RowError]) -> list[_Question]:
    kind: str | None = None
    current: _Question | None = None
    found: list[_Question] = []
    for line, text in enumerate(texts, start=1):
        if not text:
            continue
        heading = _kind_of_heading(text) if not _STEM.match(text) else None
        if heading is not None:
            kind, current = heading, None
            if heading not in WORD_KINDS:
                errors.append(
                    RowError(
                        line, "题型", f"Word 导入不支持{content.KIND_LABELS[heading]}，请改用 Excel 模板导入此类试题。"
                    )
                )
                kind = None
            continue
        stem = _STEM.match(text)
        if stem is not None:
            if kind is None:
                errors.append(
                    RowError(
                        line,
                        "题型",
                        "试题前没有题型标题：请在题目前加一行“一、单选题”（或多选题、判断题、填空题、简答题）。",
                    )
                )
                current = None
                continue
            current = _Question(kind=kind, line=line, stem=[stem.group("text")])
            found.append(current)
            continue
        if current is None:
            if kind is not None:
                errors.append(RowError(line, "题干", f"“{text[:20]}”不属于任何一道题：每题应以“1.”“2.”等编号开头。"))
            continue
        _add_line(current, line, text, errors)
    return found


def _add_line(question: _Question, line: int, text: str, errors: list[RowError]) -> None:
    """One paragraph inside a question: options, a labelled line, or the continuation of the part above."""
    label = _LABEL.match(text)
    if label is not None and label.group("label") in LABELS:
        column = LABELS[label.group("label")]
        if column in question.values:
            errors.append(
                RowError(line, column, f"本题已有“{column}”（第 {question.lines[column]} 行），请删除重复的一行。")
            )
            return
        question.values[column] = [label.group("text")]
        question.lines[column], question.last = line, column
        return
    if _OPTION.match(text) and not question.values:
        for part in _NEXT_OPTION.split(text):
            option = _OPTION.match(part)
            if option is None:
                continue
            letter = unicodedata.normalize("NFKC", option.group("label")).upper()
            if letter in question.options:
                errors.append(RowError(line, f"选项{letter}", f"选项 {letter} 重复，请检查选项字母。"))
            question.options[letter] = part[option.end() :].strip()
            question.lines.setdefault(f"选项{letter}", line)
        question.last = "选项"
        return
    if question.last == "题干":
        question.stem.append(text)
    elif question.last == "选项" and question.options:
        letter = list(question.options)[-1]
        question.options[letter] += "\n" + text
    else:
        question.values[question.last].append(text)


def _data(question: _Question, errors: list[RowError]):
    values: dict[str, str] = {column: "\n".join(lines).strip() for column, lines in question.values.items()}
    values["题型"] = content.KIND_LABELS[question.kind]
    values["题干"] = "\n".join(question.stem).strip()
    labels = [label for label in CHOICE_LABELS if label in question.options]
    if labels and labels != list(CHOICE_LABELS[: len(labels)]):
        errors.append(
            RowError(question.line, "选项", f"选项字母应从 A 起连续，本题为 {'、'.join(labels)}，请补齐或改正。")
        )
    values.update({f"选项{label}": text for label, text in question.options.items()})
    if question.kind in content.CHOICE_KINDS and not question.options:
        errors.append(RowError(question.line, "选项", "选择题没有找到选项：每个选项另起一行，写成“A. 选项内容”。"))
    if not values.get("答案"):
        errors.append(RowError(question.line, "答案", "本题没有“答案：”一行，请在选项后加一行，如“答案：A”。"))
        return None
    found: list[RowError] = []
    data = spreadsheet.row_data(question.kind, question.line, values, found)
    for error in found:  # the error points at the paragraph of the part that is wrong
        errors.append(RowError(question.lines.get(error.column, question.line), error.column, error.message))
    return data


# --- the downloadable sample --------------------------------------------------------------------------------------

SAMPLE = [
    ("一、单选题", [
        ["1. 行政机关作出行政处罚决定前，应当告知当事人的内容不包括（  ）。",
         "A. 拟作出的行政处罚内容", "B. 事实、理由及依据", "C. 陈述、申辩的权利", "D. 执法人员的家庭住址",
         "答案：D", "解析：告知的内容见行政处罚法第四十四条。", "知识点：行政处罚程序",
         "法条依据：行政处罚法#第四十四条", "难度：易"],
    ]),
    ("二、多选题", [
        ["1. 下列属于行政处罚种类的有（  ）。", "A. 警告  B. 罚款  C. 行政拘留  D. 记过",
         "答案：ABC", "解析：记过是处分，不是行政处罚。", "知识点：行政处罚程序", "法条依据：行政处罚法#第九条"],
    ]),
    ("三、判断题", [
        ["1. 执法人员当场作出行政处罚决定的，应当向当事人出示执法证件。", "答案：对", "知识点：行政处罚程序",
         "法条依据：行政处罚法#第五十二条", "用途：练习"],
    ]),
    ("四、填空题", [
        ["1. 当事人要求听证的，应当在行政机关告知后____日内提出。", "答案：五|5", "知识点：行政处罚程序",
         "法条依据：行政处罚法#第六十四条"],
    ]),
    ("五、简答题", [
        ["1. 简述执法人员在调查取证时应当遵守的基本要求。", "答案：执法人员不得少于两人，并出示执法证件。",
         "要点：不得少于两人（2分）", "要点：出示执法证件（2分）关键词：出示、证件", "知识点：调查取证",
         "用途：考试"],
    ]),
]  # fmt: skip
SAMPLE_GUIDE = (
    "填写说明：每类试题以“一、单选题”之类的标题开头（多选题、判断题、填空题、简答题同样）；每题以“1.”编号开头，"
    "选项写成“A. 内容”（可一行一个或写在同一行）；其后依次写“答案：”“解析：”“知识点：”“法条依据：”，"
    "可选“难度：”（1–5 或 易/较易/中等/较难/难）、“用途：”（练习/考试/两者，不写则取题库的默认用途）、“编号：”。"
    "判断题答案写“对”或“错”；填空题各空用“；”分隔、同一空的多种写法用“|”分隔；简答题的评分要点每行一条，"
    "写成“要点：……（2分）”，答案里的分点请用（1）（2）编号。知识点须是题库中已有的。"
)


def sample_document() -> bytes:
    """The downloadable sample bank (.docx): one question of each of the five types, and how to fill it in."""
    import docx  # python-docx

    document = docx.Document()
    document.add_heading("试题导入样例（Word）", level=1)
    document.add_paragraph(SAMPLE_GUIDE)
    for heading, questions in SAMPLE:
        document.add_heading(heading, level=2)
        for lines in questions:
            for text in lines:
                document.add_paragraph(text)
            document.add_paragraph("")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
