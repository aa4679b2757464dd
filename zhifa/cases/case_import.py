"""Reading case files: the JSON Lines schema of ../shared/data/cases (plus this project's own fields). Pure.

Each line is one case. The shared schema (id, title, case_name, category, case_type, sections, text,
applied_articles, source, source_path, source_commit) maps onto Case; our own content may also give kind, domain,
facts, issues, analysis, outcome and discussion directly. Every problem names its line; callers save nothing
when there is any.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 10_000
KINDS = {"typical", "warning"}
SECTIONS = {
    "facts": ["基本案情", "简要案情", "案情回顾", "案情"],
    "issues": ["裁判要点", "裁判要旨", "争议焦点", "关键词"],
    "analysis": ["典型意义", "案例分析", "适用解析", "法官解读", "裁判理由"],
    "outcome": ["裁判结果", "处理结果", "法院裁判", "申请人请求"],
}
DOMAIN_OF_TYPE = {"consumer": "market"}
# Fields read as text: anything else (a number, a list, an object) is refused with its line, never .strip()-ed.
TEXT_FIELDS = [*SECTIONS, "text", "category", "domain", "case_type", "source", "source_path", "source_commit"]
JSON_KINDS = {bool: "true/false", int: "数字", float: "数字", list: "列表", dict: "对象"}


@dataclass(frozen=True)
class RowError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"第 {self.line} 行：{self.message}"


def _kind_of(value: object) -> str:
    return JSON_KINDS.get(type(value), type(value).__name__)


def _section(sections: dict, names: list[str]) -> str:
    return "\n\n".join(sections[n].strip() for n in names if isinstance(sections.get(n), str) and sections[n].strip())


def _source(row: dict) -> str:
    parts = [row.get("source") or "", row.get("source_path") or ""]
    commit = row.get("source_commit") or ""
    return "：".join(p for p in parts if p) + (f"（{commit[:10]}）" if commit else "")


def case_fields(row: dict, line: int) -> tuple[dict | None, list[RowError]]:
    """Case fields for one decoded row, or the problems that make it unusable."""
    errors = []
    title = row.get("title") or row.get("case_name")
    if not isinstance(title, str) or not title.strip():
        errors.append(RowError(line, "缺少标题 title：每个案例都需要标题"))
    articles = row.get("applied_articles", row.get("article_keys", []))
    if not isinstance(articles, list) or not all(isinstance(a, str) and "#" in a for a in articles):
        errors.append(RowError(line, "applied_articles 应是“法规简称#第X条”形式的文字列表"))
    kind = row.get("kind", "typical")
    if not isinstance(kind, str) or kind not in KINDS:
        errors.append(RowError(line, f"kind“{kind}”无效：只能是 typical（典型案例）或 warning（以案示警）"))
    sections = row.get("sections") or {}
    if not isinstance(sections, dict):
        errors.append(RowError(line, "sections 应是“小标题: 正文”的对象"))
    else:
        errors.extend(
            RowError(line, f"sections 中的“{name}”应是文字（现为 {_kind_of(value)}）：请写成带引号的正文，或删除这一项")
            for name, value in sections.items()
            if value is not None and not isinstance(value, str)
        )
    errors.extend(
        RowError(line, f"{name} 应是文字（现为 {_kind_of(row[name])}）：请写成带引号的文字，或删除该字段")
        for name in TEXT_FIELDS
        if row.get(name) is not None and not isinstance(row[name], str)
    )
    points = row.get("knowledge_points", [])
    if not isinstance(points, list) or not all(isinstance(p, str) for p in points):
        errors.append(RowError(line, "knowledge_points 应是知识点编码（文字）的列表"))
    discussion = row.get("discussion", [])
    if not isinstance(discussion, list) or not all(isinstance(q, str) for q in discussion):
        errors.append(RowError(line, "discussion 应是讨论题（文字）的列表"))
    if errors:
        return None, errors
    fields = {name: (row.get(name) or _section(sections, names)).strip() for name, names in SECTIONS.items()}
    if not fields["facts"]:
        fields["facts"] = (row.get("text") or "").strip()
    return {
        "external_id": str(row.get("id") or "")[:80] or None,
        "title": str(title).strip()[:300],
        "kind": kind,
        "category": (row.get("category") or "")[:60],
        "domain": row.get("domain") or DOMAIN_OF_TYPE.get(row.get("case_type", ""), ""),
        "discussion": discussion,
        "source": _source(row)[:300],
        "article_keys": articles,
        "knowledge_points": points,
        **fields,
    }, []


def cases_read(text: str) -> tuple[list[dict], list[RowError]]:
    """Decode a JSON Lines file into case fields (with their `line`); returns (rows, errors).

    Use the rows only when errors is empty.
    """
    if len(text.encode("utf-8")) > MAX_BYTES:
        return [], [RowError(1, f"文件过大（超过 {MAX_BYTES // 1024 // 1024} MB）：请分批导入")]
    rows: list[dict] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        if len(rows) + len(errors) >= MAX_ROWS:
            errors.append(RowError(number, f"超过 {MAX_ROWS} 条：请分批导入"))
            break
        try:
            row = json.loads(raw)
        except json.JSONDecodeError as exc:
            errors.append(RowError(number, f"不是有效的 JSON（第 {exc.colno} 列：{exc.msg}）：每行应是一个完整的对象"))
            continue
        if not isinstance(row, dict):
            errors.append(RowError(number, "每行应是一个 JSON 对象 {…}"))
            continue
        fields, problems = case_fields(row, number)
        errors += problems
        if fields is not None:
            ident = fields["external_id"] or fields["title"]
            if ident in seen:
                errors.append(RowError(number, f"与第 {seen[ident]} 行重复（{ident}）：同一案例只能出现一次"))
            seen[ident] = number
            rows.append({**fields, "line": number})
    return rows, errors
