"""Parse the official text of a law into its structure, and render it back; no ORM here.

The format (the one of 国家法律法规数据库 texts):
- line 1 the title; then history lines (``2021年1月22日 第十三届……修订`` or in brackets ``（……修订）``), from which
  the promulgation, amendment and effective dates come; any other lines before the body are a preamble (序言,
  the opening sentence of a judicial interpretation); a table of contents (目录 + the headings) is kept for
  rendering but creates no provisions;
- headings on their own line: 第X编, 第X分编, 第X章, 第X节 (any whitespace, or none, before the name), and the
  unnumbered 附则;
- articles: a line starting ``第X条`` or ``第X条之一`` followed by whitespace (or nothing); the rest of the line
  is the article's first paragraph (款); every following line is one more paragraph, an item ``（一）`` (项) or a
  sub-item ``1.`` (目), until the next article or heading;
- a document without numbered articles (决定, 决议, 修正案, 批复 …) whose title names such a kind of document is
  one paragraph per line (`ParsedLaw.paragraphs_only`); a gap in the numbering (第一条 then 第三条) is a warning;
- a court case (裁判案例: 基本案情 / 裁判要旨 … sections, or a title such as 某某诉某某…纠纷案) or a guide (攻略,
  指南, 问答 …) is no law: every line after its title is a paragraph (`ParsedLaw.document_kind`), dates and all —
  the caller may name the kind (a file of the 案例 folder), else it is recognised when the text has no articles;
- a text without any dated history line gets `date_guess` from its body (``自2002年7月1日起施行``), for an
  administrator to confirm.

`render(parse_law(text))` gives back `text` up to whitespace (`normalize_text`). Errors raise `ParseError`
with the line number and a Chinese reason.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from zhifa.common.text import NUMERAL_CHARS, chinese_to_int, int_to_chinese, normalize_whitespace

_N = f"[{NUMERAL_CHARS}]+"
_HEADING = re.compile(rf"^第({_N})(分编|编|章|节)(\s*)(.*)$")
_ARTICLE = re.compile(rf"^第({_N})条(?:之({_N}))?(?:\s+(.*))?$")
_ITEM = re.compile(rf"^[（(]({_N})[）)]")
_SUBITEM = re.compile(r"^(\d{1,3})[.．、]")
_DATE_START = re.compile(r"^[（(]?\s*(\d{4}|[〇零○一二三四五六七八九]{4})\s*年\s*[\d一二三四五六七八九十]{1,3}\s*月")
_DATE = re.compile(
    r"(\d{4}|[〇零○一二三四五六七八九]{4})\s*年\s*([\d一二三四五六七八九十]{1,3})\s*月\s*"
    r"([\d一二三四五六七八九十]{1,3})\s*日"
)
_IN_FORCE_FROM = re.compile(
    r"自\s*((?:\d{4}|[〇零○一二三四五六七八九]{4})\s*年\s*[\d一二三四五六七八九十]{1,3}\s*月\s*[\d一二三四五六七八九十]{1,3}\s*日)"
    r"\s*起\s*(?:施行|生效|实施)"
)
# A text without numbered articles is still a legal document when its title names one of these kinds.
DOCUMENT_KINDS = (
    "决定", "决议", "修正案", "规定", "办法", "条例", "解释", "批复", "通知", "意见", "命令", "方案", "标准", "安排",
    "答复", "解答", "细则", "规则", "法", "公告", "章程", "纲要", "议程", "复函", "函",
)  # fmt: skip
# Texts that are no law but are kept in the library as plain paragraphs (they have no articles and no versions).
COURT_CASE = "court_case"
GUIDE = "guide"
PLAIN_KINDS = (COURT_CASE, GUIDE)
# Section headings of a court case write-up (最高人民法院 typical cases, 劳动人事争议典型案例 …), each on its own line.
_CASE_SECTIONS = {
    "基本案情", "案情简介", "裁判要旨", "裁判结果", "裁判理由", "案例分析", "典型意义", "适用解析", "处理结果",
    "争议焦点", "法院认为", "判决结果", "原告诉讼请求", "申请人请求", "裁判要点", "相关法条", "案情回顾",
}  # fmt: skip
_CASE_TITLE = re.compile(r"(诉|与).{1,60}(案|一案)$|(纠纷|合同|侵权|赔偿|行政|执行)[^，。]{0,20}案$")
_GUIDE_ENDINGS = ("攻略", "指南", "指引", "问答", "解读", "须知", "手册", "释义", "百问", "常识", "知识")
_TRAILING_BRACKETS = re.compile(r"(?:[（(][^（()）]*[）)]\s*)+$")
_UNNUMBERED_HEADINGS = {"附则"}
HEADING_KINDS = {"编": "part", "分编": "subpart", "章": "chapter", "节": "section"}
HEADING_RANK = {"part": 0, "subpart": 1, "chapter": 2, "section": 3}
MAX_TITLE = 100  # keeps article keys (title#第X条) within their 120 characters
MAX_HEADING = 60


class ParseError(ValueError):
    """A law text the parser cannot understand: `line` (1-based, 0 when not tied to a line) and a Chinese reason."""

    def __init__(self, line: int, reason: str):
        self.line = line
        self.reason = reason
        super().__init__(f"第{line}行：{reason}" if line else reason)


@dataclass
class Node:
    """One provision: a heading (part … section), an article, a paragraph, an item or a sub-item."""

    kind: str
    label: str = ""  # canonical: 第一章, 第三十二条, 第十七条之一, 第二款, （一）, 1.
    number: int | None = None
    sub: int | None = None  # 之一 of 第十七条之一
    heading: str = ""  # the name of a heading (总则)
    text: str = ""  # a paragraph, item or sub-item: its line as written (items keep their （一）)
    source_label: str = ""  # the label as written (第32条), for rendering
    separator: str = " "  # what stood between a heading's label and its name
    line: int = 0
    children: list[Node] = field(default_factory=list)

    def article_text(self) -> str:
        """The whole text of an article, its label excluded: every paragraph, item and sub-item, one a line."""
        return "\n".join(line for line in _body_lines(self) if line)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class ParsedLaw:
    title: str
    front: list[tuple[str, str]] = field(default_factory=list)  # ("history" | "preamble", line) in order
    toc: list[str] = field(default_factory=list)
    body: list[Node] = field(default_factory=list)  # headings and articles at the top level
    promulgated: dt.date | None = None
    amended: dt.date | None = None
    effective: dt.date | None = None
    latest_event: dt.date | None = None  # the latest 通过/公布/修改 date: names the version
    date_guess: dt.date | None = None  # no dated history line: the body's 自X年X月X日起施行, to be confirmed
    paragraphs_only: bool = False  # no numbered articles: the body is the (preamble) paragraphs
    document_kind: str = ""  # COURT_CASE or GUIDE: no law; every line after the title is a paragraph
    warnings: list[str] = field(default_factory=list)  # imported anyway: gaps in the numbering

    @property
    def history(self) -> list[str]:
        return [line for kind, line in self.front if kind == "history"]

    @property
    def preamble(self) -> list[str]:
        return [line for kind, line in self.front if kind == "preamble"]

    @property
    def version_date(self) -> dt.date | None:
        """The date that names this version: the latest adoption, promulgation or amendment, else the effective date."""
        return self.latest_event or self.effective

    def articles(self) -> list[Node]:
        return [node for top in self.body for node in top.walk() if node.kind == "article"]


def short_title(title: str) -> str:
    """The title without 中华人民共和国 (行政处罚法), as article keys use it."""
    title = normalize_whitespace(title).replace(" ", "")
    stripped = title.removeprefix("中华人民共和国")
    return stripped or title


def parse_law(text: str, *, kind: str = "") -> ParsedLaw:
    """The structure of a law text; raises ParseError (line number, Chinese reason) when it is not one.

    `kind` (COURT_CASE, GUIDE) says the text is known to be no law (a file of a 案例 folder): it is read as plain
    paragraphs. Without it, a text without articles under a title that names no legal document is read so when it
    looks like a court case or a guide, and refused otherwise.
    """
    lines = [(number, normalize_whitespace(raw)) for number, raw in enumerate(text.splitlines(), start=1)]
    lines = [(number, line) for number, line in lines if line]
    if not lines:
        raise ParseError(1, "文件为空，没有任何法规文本")
    title_line, title = lines[0]
    if kind:
        return _plain_document(lines, kind)
    if _HEADING.match(title) or _ARTICLE.match(title):
        raise ParseError(title_line, f"第一行应为法规标题，但读到的是“{title[:30]}”；请在正文前加上标题行")
    if len(title) > MAX_TITLE:
        raise ParseError(title_line, f"标题超过 {MAX_TITLE} 个字，可能不是法规标题；请检查第一行")
    law = ParsedLaw(title=title)
    body_start = _read_front(law, lines)
    _Builder(law).build(lines[body_start:])
    if not law.articles():
        if not (law.preamble or law.body):
            raise ParseError(
                lines[-1][0],
                "只有标题和沿革行，没有正文（既无条文也无段落），文件等于空文件，无法导入；请检查文件是否完整",
            )
        if not is_document_title(law.title) and (found := plain_kind(title, [line for _, line in lines[1:]])):
            return _plain_document(lines, found)
        _paragraphs_only(law, last_line=lines[-1][0])
    _read_dates(law)
    if law.version_date is None:
        law.date_guess = _date_guess([line for _, line in lines])
    return law


def _date_guess(lines: list[str]) -> dt.date | None:
    """The last 自X年X月X日起施行 of a text (its own entry into force is usually its last article)."""
    for line in reversed(lines):
        for match in reversed(list(_IN_FORCE_FROM.finditer(line))):
            found = _DATE.match(match.group(1))
            when = _to_date(*found.groups()) if found else None
            if when is not None:
                return when
    return None


def is_document_title(title: str) -> bool:
    """Whether a title names a kind of legal document (…的决定, 刑法修正案（十）, …规定); end brackets ignored."""
    return _TRAILING_BRACKETS.sub("", title.replace(" ", "")).endswith(DOCUMENT_KINDS)


def plain_kind(title: str, lines: list[str]) -> str:
    """COURT_CASE when a text reads as a court case (its section headings, or a title 某某诉某某…案), GUIDE when
    its title names a guide (攻略, 指南, 问答 …); "" otherwise. Only asked of texts without numbered articles."""
    compact = title.replace(" ", "")
    sections = sum(1 for line in lines if line.replace(" ", "").strip("：:【】[]") in _CASE_SECTIONS)
    if sections >= 2 or _CASE_TITLE.search(_TRAILING_BRACKETS.sub("", compact)):
        return COURT_CASE
    if _TRAILING_BRACKETS.sub("", compact).endswith(_GUIDE_ENDINGS):
        return GUIDE
    return ""


def _plain_document(lines: list[tuple[int, str]], kind: str) -> ParsedLaw:
    """A court case or a guide: the title, then every line a paragraph (its dates are facts, not history)."""
    if len(lines) < 2:
        raise ParseError(lines[0][0], "文件无正文：只有标题，没有任何段落，无法导入；请检查文件是否完整")
    law = ParsedLaw(title=lines[0][1], document_kind=kind, paragraphs_only=True)
    law.front = [("preamble", line) for _, line in lines[1:]]
    return law


def _paragraphs_only(law: ParsedLaw, *, last_line: int) -> None:
    """A text without numbered articles: kept as paragraphs when its title names a legal document, else refused."""
    if not is_document_title(law.title):
        raise ParseError(
            last_line,
            "未找到任何条文（以“第X条”开头、后接空格的行），标题也不是决定、决议、规定、办法等法规文件的名称，"
            "也不像裁判案例（基本案情、裁判要旨等段落）或指南、问答，无法导入；"
            "如确是法规文件，请把完整标题写在第一行",
        )
    law.paragraphs_only = True


def _is_heading(line: str) -> bool:
    match = _HEADING.match(line)
    if match:
        name = match.group(4)
        return len(name) <= MAX_HEADING and "。" not in name and "，" not in name
    return line.replace(" ", "") in _UNNUMBERED_HEADINGS


def _read_front(law: ParsedLaw, lines: list[tuple[int, str]]) -> int:
    """Fill history, preamble and table of contents; return the index of the first body line."""
    index = 1
    while index < len(lines):
        _, line = lines[index]
        if _is_heading(line) or _ARTICLE.match(line):
            return index
        if line.replace(" ", "") == "目录":
            toc_end = _toc_end(lines, index + 1)
            if toc_end is not None:
                law.front.append(("toc", line))
                law.toc = [entry for _, entry in lines[index + 1 : toc_end]]
                index = toc_end
                continue
        law.front.append(("history" if _DATE_START.match(line) else "preamble", line))
        index += 1
    return index


def _toc_end(lines: list[tuple[int, str]], start: int) -> int | None:
    """Where the body begins after a table of contents: the second appearance of its first entry."""
    if start >= len(lines) or not _is_heading(lines[start][1]):
        return None
    first = lines[start][1].replace(" ", "")
    for index in range(start + 1, len(lines)):
        line = lines[index][1]
        if line.replace(" ", "") == first:
            return index
        if not _is_heading(line):
            return None
    return None


class _Builder:
    """Turns body lines into the tree: headings nest by rank, articles go under the innermost open heading."""

    def __init__(self, law: ParsedLaw):
        self.law = law
        self.open_headings: list[Node] = []
        self.article: Node | None = None
        self.seen: dict[tuple[int, int], int] = {}

    def build(self, lines: list[tuple[int, str]]) -> None:
        for number, line in lines:
            if _is_heading(line):
                self._heading(number, line)
            elif match := _ARTICLE.match(line):
                self._article(number, line, match)
            else:
                self._content(number, line)

    def _attach(self, node: Node) -> None:
        (self.open_headings[-1].children if self.open_headings else self.law.body).append(node)

    def _heading(self, number: int, line: str) -> None:
        match = _HEADING.match(line)
        if match:
            kind = HEADING_KINDS[match.group(2)]
            value = chinese_to_int(match.group(1))
            node = Node(
                kind=kind,
                label=f"第{int_to_chinese(value)}{match.group(2)}",
                number=value,
                heading=match.group(4),
                source_label=f"第{match.group(1)}{match.group(2)}",
                separator=match.group(3),
                line=number,
            )
        else:  # 附则 without a number: at the level of the outermost heading used so far
            outer = min(
                (HEADING_RANK[h.kind] for top in self.law.body for h in top.walk() if h.kind in HEADING_RANK),
                default=HEADING_RANK["chapter"],
            )
            kind = next(k for k, rank in HEADING_RANK.items() if rank == outer)
            node = Node(kind=kind, heading=line, line=number, separator="")
        rank = HEADING_RANK[node.kind]
        while self.open_headings and HEADING_RANK[self.open_headings[-1].kind] >= rank:
            self.open_headings.pop()
        self._attach(node)
        self.open_headings.append(node)
        self.article = None

    def _article(self, number: int, line: str, match: re.Match) -> None:
        value = chinese_to_int(match.group(1))
        sub = chinese_to_int(match.group(2)) if match.group(2) else None
        order = (value, sub or 0)
        if order in self.seen:
            raise ParseError(
                number,
                f"条文编号“{match.group(0).split(' ')[0]}”重复出现（上一次在第{self.seen[order]}行）；"
                "请检查是否粘贴了两遍",
            )
        if self.seen and order < max(self.seen):
            raise ParseError(
                number, f"条文编号“{match.group(0).split(' ')[0]}”比前面的条文小，顺序有误；请检查该行附近"
            )
        if self.seen and sub is None and value > max(self.seen)[0] + 1:
            self.law.warnings.append(_gap_warning(number, max(self.seen)[0], value))
        self.seen[order] = number
        label = f"第{int_to_chinese(value)}条" + (f"之{int_to_chinese(sub)}" if sub else "")
        source_label = f"第{match.group(1)}条" + (f"之{match.group(2)}" if match.group(2) else "")
        article = Node(kind="article", label=label, number=value, sub=sub, source_label=source_label, line=number)
        article.children.append(
            Node(kind="paragraph", label="第一款", number=1, text=match.group(3) or "", line=number)
        )
        self._attach(article)
        self.article = article

    def _content(self, number: int, line: str) -> None:
        if self.article is None:
            # Text after a heading and before its first article (rare): a paragraph of the heading itself.
            parent = self.open_headings[-1] if self.open_headings else None
            if parent is None:
                raise ParseError(number, "正文开始处无法识别")  # unreachable: front matter ends at a heading/article
            parent.children.append(Node(kind="paragraph", text=line, line=number))
            return
        paragraphs = self.article.children
        if match := _ITEM.match(line):
            value = chinese_to_int(match.group(1))
            paragraphs[-1].children.append(
                Node(kind="item", label=f"（{int_to_chinese(value)}）", number=value, text=line, line=number)
            )
        elif (match := _SUBITEM.match(line)) and paragraphs[-1].children:
            value = int(match.group(1))
            paragraphs[-1].children[-1].children.append(
                Node(kind="subitem", label=f"{value}.", number=value, text=line, line=number)
            )
        else:
            count = len(paragraphs) + 1
            paragraphs.append(
                Node(kind="paragraph", label=f"第{int_to_chinese(count)}款", number=count, text=line, line=number)
            )


def _gap_warning(line: int, before: int, after: int) -> str:
    missing = f"第{int_to_chinese(before + 1)}条" + (f"至第{int_to_chinese(after - 1)}条" if after - before > 2 else "")
    return (
        f"第{line}行：条文编号从第{int_to_chinese(before)}条跳到第{int_to_chinese(after)}条，缺{missing}；"
        "已照原文导入，请核对原文是否漏录"
    )


def _body_lines(node: Node) -> list[str]:
    lines = []
    for child in node.children:
        lines.append(child.text)
        lines.extend(_body_lines(child))
    return lines


def _node_lines(node: Node) -> list[str]:
    if node.kind == "article":
        first, *rest = node.children
        head = f"{node.source_label} {first.text}".rstrip()
        return [head, *_body_lines(first), *(line for child in rest for line in [child.text, *_body_lines(child)])]
    if node.kind in HEADING_RANK:
        head = f"{node.source_label}{node.separator}{node.heading}" if node.source_label else node.heading
        return [head, *(line for child in node.children for line in _node_lines(child))]
    return [node.text, *_body_lines(node)]


def render(law: ParsedLaw) -> str:
    """The text of a parsed law: title, history, preamble, table of contents, body; paragraphs a blank line apart."""
    lines = [law.title]
    for kind, line in law.front:
        lines.extend([line, *law.toc] if kind == "toc" else [line])
    for node in law.body:
        lines.extend(_node_lines(node))
    return "\n\n".join(lines) + "\n"


def _to_date(year: str, month: str, day: str) -> dt.date | None:
    try:
        return dt.date(chinese_to_int(year), chinese_to_int(month), chinese_to_int(day))
    except ValueError:
        return None


def _read_dates(law: ParsedLaw) -> None:
    """Dates from the history lines: promulgation (the first 公布, else the first 通过), last amendment
    (修正/修订/修改), effective (施行), and the version date: the latest of all but 施行."""
    adopted: list[dt.date] = []
    published: list[dt.date] = []
    events: list[dt.date] = []
    for line in law.history:
        matches = list(_DATE.finditer(line))
        for index, match in enumerate(matches):
            end = matches[index + 1].start() if index + 1 < len(matches) else len(line)
            words = line[match.end() : end]
            when = _to_date(*match.groups())
            if when is None:
                continue
            if any(word in words for word in ("修正", "修订", "修改")):
                law.amended = max(filter(None, [law.amended, when]))
                events.append(when)
            elif any(word in words for word in ("公布", "发布", "颁布")):
                published.append(when)
                events.append(when)
            elif any(word in words for word in ("通过", "批准")):
                adopted.append(when)
                events.append(when)
            if "施行" in words or "生效" in words:
                law.effective = when
    law.promulgated = published[0] if published else (adopted[0] if adopted else None)
    law.latest_event = max(events) if events else None
