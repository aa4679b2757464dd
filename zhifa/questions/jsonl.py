"""Questions as JSON Lines, in the schema of shared/data/questions/questions.jsonl (its README), without the ORM.

Mapping: id → external_id, source → source, type → kind, stem, options {"A": …}, answer (the Question.answer forms:
letters, [true], blanks, {"reference", "rubric"}), cited_articles → article_keys (法条依据). Fields this bank adds:
explanation, difficulty, knowledge_points (codes or names), domains (codes or names), sub_questions (same schema),
use (练习 / 考试 / 两者 or practice / exam / both; absent = the bank's default).
Every other field (subject, admin_law, exam, license, source_path, …) is kept in `extra` and written back as is.
"""

from __future__ import annotations

import json
from typing import Any

from zhifa.questions import content
from zhifa.questions.content import QuestionData
from zhifa.questions.spreadsheet import ParsedFile, ParsedRow, RowError

KNOWN_FIELDS = {
    "id", "source", "type", "stem", "options", "answer", "cited_articles", "explanation", "difficulty",
    "knowledge_points", "domains", "sub_questions", "use",
}  # fmt: skip
MAX_LINES = 50_000


def read_lines(blob: bytes) -> ParsedFile:
    """Questions of a UTF-8 JSONL file; blank lines skipped; errors name the line."""
    result = ParsedFile()
    try:
        text = blob.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.errors.append(RowError(0, "", "文件不是 UTF-8 编码的 JSONL，请另存为 UTF-8 后上传。"))
        return result
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if number > MAX_LINES:
            result.errors.append(RowError(number, "", f"超过 {MAX_LINES} 行上限，请拆分成多个文件。"))
            break
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            result.errors.append(
                RowError(number, "", f"不是有效的 JSON（第 {exc.colno} 个字符附近），请检查引号和逗号。")
            )
            continue
        errors: list[RowError] = []
        data = record_data(record, number, errors)
        result.errors.extend(errors)
        if data is not None:
            result.rows.append(ParsedRow(number, data))
    return result


def record_data(record: Any, line: int, errors: list[RowError]) -> QuestionData | None:
    """One JSON object as QuestionData; appends errors for missing or malformed fields."""
    if not isinstance(record, dict):
        errors.append(RowError(line, "", "每行应是一个 JSON 对象（{…}）。"))
        return None
    kind = content.kind_from_name(str(record.get("type", "")))
    if kind is None:
        errors.append(
            RowError(
                line,
                "type",
                f"题型“{record.get('type')}”无法识别，应为 single、multiple、judge、blank、short 或 case。",
            )
        )
        return None
    options = record.get("options") or {}
    if not isinstance(options, dict):
        errors.append(RowError(line, "options", '选项应是形如 {"A": "…", "B": "…"} 的对象。'))
        return None
    difficulty = content.difficulty_from_text(record.get("difficulty"))
    if difficulty is None:
        errors.append(RowError(line, "difficulty", "难度应为 1 到 5。"))
        return None
    keys: list[str] = []
    bad: list[str] = []
    for text in _strings(record.get("cited_articles")):
        key = content.article_key(text)
        (keys if key else bad).append(key or text)
    if bad:
        errors.append(RowError(line, "cited_articles", f"“{'、'.join(bad)}”无法识别，请写成“行政处罚法#第四十四条”。"))
    use = content.use_from_text(record.get("use"))
    if use is None:
        errors.append(
            RowError(
                line, "use", f"用途“{record.get('use')}”无法识别，应为 练习、考试、两者（或 practice、exam、both）。"
            )
        )
        use = ""
    subs = []
    for position, sub in enumerate(record.get("sub_questions") or [], start=1):
        sub_data = record_data(sub, line, errors)
        if sub_data is None:
            errors.append(RowError(line, "sub_questions", f"第 {position} 小题无法读取。"))
        else:
            subs.append(sub_data)
    return QuestionData(
        kind=kind,
        stem=content.stem_html(str(record.get("stem") or "")),
        answer=content.canonical_answer(kind, _answer(kind, record.get("answer"))),
        options={str(label).strip().upper(): content.clean_text(str(text)).strip() for label, text in options.items()},
        explanation=content.clean_text(str(record.get("explanation") or "")).strip(),
        difficulty=difficulty,
        knowledge_points=tuple(_strings(record.get("knowledge_points"))),
        article_keys=tuple(dict.fromkeys(keys)),
        domains=tuple(_strings(record.get("domains"))),
        source=str(record.get("source") or ""),
        external_id=str(record.get("id") or ""),
        extra={key: value for key, value in record.items() if key not in KNOWN_FIELDS},
        sub_questions=tuple(subs),
        use=use,
    )


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return content.split_list(value)
    return [str(item).strip() for item in value if str(item).strip()]


def _answer(kind: str, value: Any) -> Any:
    if kind in content.CHOICE_KINDS and isinstance(value, str):
        return list(value.replace(",", "").replace(" ", ""))
    if kind == "judge" and not isinstance(value, list):
        return [value]
    return value


def record_of(data: QuestionData, *, sub_of_case: bool = False) -> dict:
    """The JSON object of a question: the shared schema's fields first, then the bank's own, then `extra`."""
    record: dict[str, Any] = {"id": data.external_id, "source": data.source, "type": data.kind}
    record["stem"] = content.stem_for_export(data.stem)
    if data.options or data.kind in content.CHOICE_KINDS:
        record["options"] = dict(data.options)
    record["answer"] = data.answer
    record.update(data.extra)
    record["cited_articles"] = list(data.article_keys)
    record["explanation"] = data.explanation
    record["difficulty"] = data.difficulty
    record["knowledge_points"] = list(data.knowledge_points)
    record["domains"] = list(data.domains)
    if data.sub_questions:
        record["sub_questions"] = [record_of(sub, sub_of_case=True) for sub in data.sub_questions]
    if data.use and not sub_of_case:
        record["use"] = data.use
    return record


def write_lines(questions: list[QuestionData]) -> bytes:
    return "".join(json.dumps(record_of(q), ensure_ascii=False) + "\n" for q in questions).encode()
