"""A question's content without the ORM: the QuestionData record, sanitising, canonical answers, hashes, checks.

Every way into the bank (form, Excel, JSONL, seed) builds a QuestionData, checks it with `problems()` and hashes it
with `content_hash()`; the same record is read back from a Question row for export, so a re-import of an export
hashes the same and is recognised as unchanged.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Any

import nh3

from zhifa.common.text import canonical_article_label
from zhifa.questions.checking import CHOICE_LABELS, judge_value

KINDS = ("single", "multiple", "judge", "blank", "short", "case")
CHOICE_KINDS = ("single", "multiple")
SUBJECTIVE_KINDS = ("short", "case")
KIND_LABELS = {
    "single": "单选题",
    "multiple": "多选题",
    "judge": "判断题",
    "blank": "填空题",
    "short": "简答题",
    "case": "案例分析题",
}
_KIND_ALIASES = {
    "single": ("单选", "单选题", "单项选择", "单项选择题", "single"),
    "multiple": ("多选", "多选题", "多项选择", "多项选择题", "不定项选择题", "multiple"),
    "judge": ("判断", "判断题", "是非题", "judge"),
    "blank": ("填空", "填空题", "blank"),
    "short": ("简答", "简答题", "问答题", "论述题", "short"),
    "case": ("案例", "案例题", "案例分析", "案例分析题", "case"),
}
KIND_BY_NAME = {alias.casefold(): kind for kind, aliases in _KIND_ALIASES.items() for alias in aliases}
DIFFICULTY_NAMES = {"易": 1, "容易": 1, "较易": 2, "中": 3, "中等": 3, "适中": 3, "较难": 4, "难": 5, "困难": 5}
DIFFICULTY_LABELS = {1: "易", 2: "较易", 3: "中等", 4: "较难", 5: "难"}

MAX_STEM = 20_000
MAX_OPTION = 2_000
MAX_EXPLANATION = 20_000

ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "sub", "sup", "ul", "ol", "li", "blockquote",
    "table", "thead", "tbody", "tr", "th", "td", "img", "span", "mark",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"img": {"src", "alt", "width", "height"}, "td": {"colspan", "rowspan"}}
_TAG_NAMES = "|".join(sorted(ALLOWED_TAGS))
# Stored stems are HTML; an entity marks text as already HTML, so stem_html() is idempotent.
_ATTRIBUTE = r"""\s+[a-z-]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?"""
_HTML_TAG = re.compile(
    rf"</?(?:{_TAG_NAMES})(?:{_ATTRIBUTE})*\s*/?>|&(?:[a-z]+|#\d+|#x[0-9a-f]+);", re.IGNORECASE | re.ASCII
)
_ANY_TAG = re.compile(r"<[^>]+>")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_BLOCK_END = re.compile(r"</(?:p|li|tr|blockquote)>", re.IGNORECASE)
_FINGERPRINT_DROP = re.compile(r"[\s\W_]+", re.UNICODE)
_ARTICLE_TEXT = re.compile(r"^《?(?:中华人民共和国)?(?P<law>[^《》#]+?)》?\s*#?\s*(?P<label>第[^条]+条(?:之[^第]+)?)")


@dataclass(frozen=True)
class QuestionData:
    """One question as plain data. Knowledge points and domains are codes once resolved (names as typed before)."""

    kind: str
    stem: str
    answer: Any
    options: dict[str, str] = field(default_factory=dict)
    explanation: str = ""
    difficulty: int = 3
    knowledge_points: tuple[str, ...] = ()
    article_keys: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    source: str = ""
    external_id: str = ""
    extra: dict = field(default_factory=dict)
    sub_questions: tuple[QuestionData, ...] = ()
    use: str = ""  # practice · exam · both; "" = not stated (the bank's default applies)
    bank: int | None = None  # the QuestionBank's id; None = not stated

    def with_(self, **changes: Any) -> QuestionData:
        return replace(self, **changes)


# --- text and HTML -----------------------------------------------------------------------------------------------


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str) -> str:
    """Without control characters (PDF artefacts in real banks; Excel cannot even store them), CRLF as LF."""
    return _CONTROL.sub("", (value or "").replace("\r\n", "\n").replace("\r", "\n"))


def sanitise_html(value: str) -> str:
    """Rich text reduced to the allowed tags and attributes (nh3); scripts, handlers and styles are removed."""
    return nh3.clean(value or "", tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, link_rel=None).strip()


def text_to_html(text: str) -> str:
    """Plain text as safe HTML: escaped, line breaks kept as <br>."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip().split("\n")
    # through nh3 as well, so that the result is already in nh3's own form and sanitising it again changes nothing
    return sanitise_html("<br>".join(html.escape(line, quote=False) for line in lines))


def stem_html(value: str) -> str:
    """The stored form of a stem typed anywhere: HTML when it contains allowed tags, else escaped plain text."""
    value = clean_text(value)
    return sanitise_html(value) if _HTML_TAG.search(value) else text_to_html(value)


def html_to_text(value: str) -> str:
    """Readable plain text of stored HTML (line breaks for <br> and block ends)."""
    text = _BLOCK_END.sub("\n", _BR.sub("\n", value or ""))
    return html.unescape(_ANY_TAG.sub("", text)).strip()


def stem_for_export(value: str) -> str:
    """Plain text when the stored stem was plain text (so it re-imports identically), else the HTML itself."""
    plain = html_to_text(value)
    return plain if text_to_html(plain) == value else value


def fingerprint_text(value: str) -> str:
    """Text for duplicate detection: no tags, NFKC, lower case, no whitespace or punctuation."""
    text = unicodedata.normalize("NFKC", html_to_text(value)).casefold()
    return _FINGERPRINT_DROP.sub("", text)


def stem_hash(value: str) -> str:
    return hashlib.sha256(fingerprint_text(value).encode()).hexdigest()


# --- parsing small fields -----------------------------------------------------------------------------------------


def kind_from_name(name: str) -> str | None:
    return KIND_BY_NAME.get(unicodedata.normalize("NFKC", name or "").strip().casefold())


def difficulty_from_text(value: Any) -> int | None:
    """1..5 from a number or 易/较易/中等/较难/难; 3 when empty; None when unreadable."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return 3
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float) and float(value).is_integer() and 1 <= value <= 5:
        return int(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if text.isdigit() and 1 <= int(text) <= 5:
        return int(text)
    return DIFFICULTY_NAMES.get(text)


def article_key(text: str) -> str | None:
    """ "行政处罚法#第四十四条" from that key, "《中华人民共和国行政处罚法》第44条" or "行政处罚法第四十四条第一款"."""
    cleaned = unicodedata.normalize("NFKC", text or "").strip().replace(" ", "")
    match = _ARTICLE_TEXT.match(cleaned)
    if not match:
        return None
    label = match.group("label")
    try:
        label = canonical_article_label(label)
    except ValueError:
        return None
    return f"{match.group('law').strip()}#{label}"


def split_list(value: Any) -> list[str]:
    """Items of a cell separated by ；;，,、| or line breaks, stripped, empty ones dropped."""
    if value is None:
        return []
    parts = re.split(r"[；;，,、|\n]+", str(value))
    return [part.strip() for part in parts if part.strip()]


# --- canonical answers and hashing ---------------------------------------------------------------------------------


def canonical_answer(kind: str, answer: Any) -> Any:
    """The stored form of an answer (sorted labels, [bool], stripped blanks, clean rubric); unreadable parts kept."""
    if kind in CHOICE_KINDS and isinstance(answer, list | tuple):
        return sorted({str(a).strip().upper() for a in answer})
    if kind == "judge":
        value = judge_value(answer)
        return [value] if value is not None else answer
    if kind == "blank" and isinstance(answer, list | tuple):
        blanks = [[a] if isinstance(a, str) else list(a or []) for a in answer]
        return [[str(alt).strip() for alt in alts if str(alt).strip()] for alts in blanks]
    if kind in SUBJECTIVE_KINDS and isinstance(answer, dict):
        rubric = []
        for item in answer.get("rubric") or []:
            entry: dict[str, Any] = {"point": str(item.get("point", "")).strip(), "score": _number(item.get("score"))}
            if item.get("keywords"):
                entry["keywords"] = [str(k).strip() for k in item["keywords"] if str(k).strip()]
            rubric.append(entry)
        return {"reference": str(answer.get("reference", "")).strip(), "rubric": rubric}
    return answer


def classification(data: QuestionData) -> tuple:
    """What changes in place: knowledge point codes, domain codes, cited article keys (each sorted), use, bank."""
    return (
        tuple(sorted(data.knowledge_points)),
        tuple(sorted(data.domains)),
        tuple(sorted(data.article_keys)),
        data.use,
        data.bank,
    )


USES = ("both", "practice", "exam")
USE_LABELS = {"both": "两者", "practice": "练习", "exam": "考试"}
_USE_ALIASES = {
    "both": ("两者", "练习和考试", "练习与考试", "练习及考试", "通用", "全部", "both"),
    "practice": ("练习", "仅练习", "只练习", "练习题", "practice"),
    "exam": ("考试", "仅考试", "只考试", "保密", "保密题", "考试题", "仅考试（保密题）", "exam"),
}
USE_BY_NAME = {
    unicodedata.normalize("NFKC", alias).casefold(): use for use, aliases in _USE_ALIASES.items() for alias in aliases
}


def use_from_text(value: Any) -> str | None:
    """The use a 用途 cell names ("" when empty); None when it names none (练习 / 考试 / 两者 and their variants)."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value or ""))).casefold()
    if not text:
        return ""
    return USE_BY_NAME.get(text)


def _number(value: Any) -> Any:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return value
    return int(number) if number.is_integer() else number


def content_hash(data: QuestionData) -> str:
    """SHA-256 of the versioned content: what an examinee sees and is graded on.

    Classification (knowledge points, domains, cited articles) and metadata (id, source, extra) are left out: they
    change in place, while a change of content to a published question makes a new version.
    """
    payload = {
        "kind": data.kind,
        "stem": data.stem,
        "options": [[label, data.options[label]] for label in sorted(data.options)],
        "answer": canonical_answer(data.kind, data.answer),
        "explanation": data.explanation,
        "difficulty": data.difficulty,
        "sub_questions": [content_hash(sub) for sub in data.sub_questions],
    }
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


# --- checks --------------------------------------------------------------------------------------------------------


def problems(data: QuestionData, *, sub: bool = False) -> list[str]:
    """What is wrong with a question, each as a Chinese sentence naming the fix; [] when it is complete."""
    if data.kind not in KINDS:
        return [f"题型“{data.kind}”无法识别，应为单选题、多选题、判断题、填空题、简答题或案例分析题。"]
    found = _text_problems(data)
    if sub and data.kind == "case":
        found.append("案例分析题的小题不能再是案例分析题，请改为单选、多选、判断、填空或简答题。")
    if not sub and data.kind != "case" and data.sub_questions:
        found.append("只有案例分析题可以带小题。")
    if data.difficulty not in range(1, 6):
        found.append("难度应为 1 到 5（或 易、较易、中等、较难、难）。")
    found.extend(_CHECKERS[data.kind](data))
    for position, subquestion in enumerate(data.sub_questions, start=1):
        found.extend(f"第 {position} 小题：{message}" for message in problems(subquestion, sub=True))
    return found


def _text_problems(data: QuestionData) -> list[str]:
    found = []
    if not html_to_text(data.stem).strip() and "<img" not in data.stem:
        found.append("题干为空，请填写题干。")
    if len(data.stem) > MAX_STEM:
        found.append(f"题干过长（{len(data.stem)} 字符，上限 {MAX_STEM}），请精简。")
    if len(data.explanation) > MAX_EXPLANATION:
        found.append(f"解析过长（{len(data.explanation)} 字符，上限 {MAX_EXPLANATION}），请精简。")
    for label, text in data.options.items():
        if len(text) > MAX_OPTION:
            found.append(f"选项 {label} 过长（{len(text)} 字符，上限 {MAX_OPTION}），请精简。")
    return found


def _choice_problems(data: QuestionData) -> list[str]:
    labels = list(data.options)
    expected = list(CHOICE_LABELS[: len(labels)])
    if len(labels) < 2:
        return ["选择题至少需要 A、B 两个选项。"]
    if labels != expected:
        return [f"选项应从 A 起连续排列（现为 {'、'.join(labels)}），请补齐中间空缺的选项。"]
    empty = [label for label, text in data.options.items() if not text.strip()]
    if empty:
        return [f"选项 {'、'.join(empty)} 内容为空，请填写，或把后面的选项依次前移。"]
    answer = data.answer if isinstance(data.answer, list | tuple) else []
    picks = [str(a).strip().upper() for a in answer]
    if not picks:
        return ["答案为空，请填写正确选项的字母，如 A 或 ACD。"]
    strangers = [p for p in picks if p not in labels]
    if strangers:
        return [f"答案 {'、'.join(strangers)} 不是本题的选项（本题选项为 A–{labels[-1]}），请改为已有选项的字母。"]
    if data.kind == "single" and len(set(picks)) != 1:
        return [f"单选题只能有一个答案（现为 {''.join(sorted(set(picks)))}），请改正或把题型改为多选题。"]
    if data.kind == "multiple" and len(set(picks)) < 2:
        return ["多选题至少有两个正确选项；只有一个时请把题型改为单选题。"]
    return []


def _judge_problems(data: QuestionData) -> list[str]:
    found = [] if judge_value(data.answer) is not None else ["判断题答案应为“对”或“错”（也可写 √ / ×、正确 / 错误）。"]
    if data.options:
        found.append("判断题不需要选项，请清空选项列。")
    return found


def _blank_problems(data: QuestionData) -> list[str]:
    answer = canonical_answer("blank", data.answer)
    if not isinstance(answer, list) or not answer:
        return ["填空题答案为空：每个空写一组可接受的答案，空与空之间用“；”分隔，同一空的多种写法用“|”分隔。"]
    empty = [str(i) for i, alternatives in enumerate(answer, start=1) if not alternatives]
    if empty:
        return [f"第 {'、'.join(empty)} 个空没有答案。"]
    return ["填空题不需要选项，请清空选项列。"] if data.options else []


def _subjective_problems(data: QuestionData) -> list[str]:
    answer = data.answer if isinstance(data.answer, dict) else {}
    found = []
    if not str(answer.get("reference", "")).strip():
        found.append("请填写参考答案。")
    for item in answer.get("rubric") or []:
        if not isinstance(_number(item.get("score")), int | float) or _number(item.get("score")) <= 0:
            found.append(f"评分要点“{item.get('point', '')}”的分值应为正数。")
    if data.kind == "case" and not data.sub_questions and not answer.get("rubric"):
        found.append("案例分析题需要小题或评分要点。")
    return found


_CHECKERS = {
    "single": _choice_problems,
    "multiple": _choice_problems,
    "judge": _judge_problems,
    "blank": _blank_problems,
    "short": _subjective_problems,
    "case": _subjective_problems,
}

_COLUMN_CUES = [
    ("题型", ("题型", "只有案例分析题", "案例分析题的小题")),
    ("题干", ("题干",)),
    ("解析", ("解析",)),
    ("难度", ("难度",)),
    ("选项", ("选项", "选择题至少", "判断题不需要选项", "填空题不需要选项")),
    (
        "答案",
        (
            "答案",
            "单选题只能",
            "多选题至少",
            "判断题答案",
            "填空题答案",
            "第",
            "请填写参考答案",
            "评分要点",
            "案例分析题需要",
        ),
    ),
]


def problem_column(message: str) -> str:
    """The spreadsheet column a message of `problems()` is about ("" when none fits)."""
    text = re.sub(r"^第 \d+ 小题：", "", message)
    for column, cues in _COLUMN_CUES:
        if text.startswith(cues):
            return column
    return ""
