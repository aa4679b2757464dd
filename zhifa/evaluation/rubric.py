"""Case-file review rubrics (案卷评查标准) as data, and the pure arithmetic of scoring a file against one.

A rubric is a dict:
    {"groups": [{"key", "label", "points", "part": "卷面"|"内容", "items": [{"key", "label", "deduction"}]}],
     "vetoes": [{"key", "label"}]}
A reviewer's marks count occurrences per item ({"form_wrong": 1, "field_missing": 3}) and list veto keys. A group
loses deduction × occurrences and never goes below zero; any veto makes the file a 不合格卷 scored 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

# The default shipped with the platform, after published provincial standards: 20 points for presentation (卷面),
# 80 for content, and the veto items that make a file 不合格 whatever its points.
DEFAULT_RUBRIC: dict = {
    "groups": [
        {
            "key": "presentation",
            "label": "卷面",
            "part": "卷面",
            "points": 20,
            "items": [
                {"key": "form_wrong", "label": "文书格式错误或使用文书样式不当", "deduction": 2},
                {"key": "field_missing", "label": "文书项目缺项、漏填（每处）", "deduction": 1},
                {"key": "signature_missing", "label": "签名、盖章、日期缺失（每处）", "deduction": 2},
                {"key": "binding_disorder", "label": "卷宗装订顺序不规范、目录不全", "deduction": 1},
            ],
        },
        {
            "key": "body",
            "label": "执法主体与人员",
            "part": "内容",
            "points": 10,
            "items": [{"key": "officer_info", "label": "执法人员信息、证件号码记载不全", "deduction": 2}],
        },
        {
            "key": "evidence",
            "label": "事实与证据",
            "part": "内容",
            "points": 25,
            "items": [
                {"key": "evidence_incomplete", "label": "证据收集不全面", "deduction": 5},
                {"key": "evidence_source", "label": "证据未注明来源或未经核对", "deduction": 2},
                {"key": "record_elements", "label": "现场笔录、询问笔录要素缺失", "deduction": 3},
            ],
        },
        {
            "key": "law",
            "label": "法律适用与裁量",
            "part": "内容",
            "points": 20,
            "items": [
                {"key": "article_vague", "label": "引用法律条款不具体（未引至条、款、项）", "deduction": 5},
                {"key": "discretion_reason", "label": "裁量理由不充分或未说明裁量基准", "deduction": 5},
            ],
        },
        {
            "key": "procedure",
            "label": "执法程序",
            "part": "内容",
            "points": 25,
            "items": [
                {"key": "no_notice", "label": "未履行告知义务", "deduction": 10},
                {"key": "no_hearing", "label": "未听取陈述、申辩或未告知听证权利", "deduction": 10},
                {"key": "overdue", "label": "超过法定期限办结", "deduction": 5},
                {"key": "service_irregular", "label": "送达不规范", "deduction": 3},
            ],
        },
    ],
    "vetoes": [
        {"key": "body_unlawful", "label": "执法主体不合法"},
        {"key": "ultra_vires", "label": "超越职权"},
        {"key": "officer_unqualified", "label": "执法人员不具备执法资格"},
        {"key": "no_referral", "label": "应当移送而未移送"},
        {"key": "evidence_insufficient", "label": "主要证据不足"},
        {"key": "facts_unclear", "label": "事实不清"},
        {"key": "wrong_characterisation", "label": "定性错误"},
        {"key": "wrong_law", "label": "适用法律错误"},
        {"key": "procedure_unlawful", "label": "程序违法"},
        {"key": "fewer_than_two", "label": "执法人员少于两人"},
    ],
}

PASS_MARK = 60.0  # a file under this total is also 不合格


def rubric_errors(rubric: object) -> list[str]:
    """What is wrong with a rubric's data, in Chinese; [] when it is usable."""
    if not isinstance(rubric, Mapping) or not isinstance(rubric.get("groups"), list):
        return ["评查标准须包含评分项目组（groups）"]
    errors, keys = [], set()
    for g in rubric["groups"]:
        if not isinstance(g, Mapping) or not g.get("key") or not g.get("label"):
            errors.append("每个评分项目组须有编码和名称")
            continue
        if not isinstance(g.get("points"), int | float) or g["points"] <= 0:
            errors.append(f"项目组“{g['label']}”的分值须大于 0")
        if g["key"] in keys:
            errors.append(f"项目组编码“{g['key']}”重复")
        keys.add(g["key"])
        for item in g.get("items", []):
            if item.get("key") in keys:
                errors.append(f"评分项编码“{item.get('key')}”重复")
            keys.add(item.get("key"))
            if not isinstance(item.get("deduction"), int | float) or item["deduction"] <= 0:
                errors.append(f"评分项“{item.get('label')}”的扣分须大于 0")
    for v in rubric.get("vetoes", []):
        if v.get("key") in keys or not v.get("label"):
            errors.append(f"否决项“{v.get('label') or v.get('key')}”的编码重复或缺少名称")
        keys.add(v.get("key"))
    total = sum(g.get("points", 0) for g in rubric["groups"] if isinstance(g, Mapping))
    if not errors and abs(total - 100) > 1e-6:
        errors.append(f"各项目组分值合计为 {total:g}，须为 100")
    return errors


PARTS = ("卷面", "内容")
_MAX_ROWS = 200  # groups, items per group and vetoes read from one editor form


def _number(raw: str) -> int | float | None:
    """A positive number from a form field (an int when whole); None when it is not one."""
    try:
        value = float(raw.strip())
    except ValueError:
        return None
    if not 0 < value <= 100 or value != value:
        return None
    return int(value) if value.is_integer() else round(value, 2)


def _fresh_key(prefix: str, used: set[str]) -> str:
    n = 1
    while f"{prefix}_{n}" in used:
        n += 1
    used.add(f"{prefix}_{n}")
    return f"{prefix}_{n}"


def rubric_from_form(data: Mapping[str, str]) -> tuple[dict, list[str]]:
    """A rubric from the editor's fields, and what is wrong with it in Chinese (each error names its row).

    Fields: g<i>-key/-label/-part/-points, g<i>-i<j>-key/-label/-deduction, v<k>-key/-label. A row whose name is
    empty is left out (that is how the editor deletes one); new rows get fresh keys, kept rows keep theirs, so
    marks stay comparable across versions.
    """
    errors: list[str] = []
    used = {v for k, v in data.items() if k.endswith("-key") and v}
    groups, vetoes = [], []
    for i in range(_MAX_ROWS):
        if f"g{i}-label" not in data:
            break
        label = data.get(f"g{i}-label", "").strip()
        items = []
        for j in range(_MAX_ROWS):
            if f"g{i}-i{j}-label" not in data:
                break
            item_label = data.get(f"g{i}-i{j}-label", "").strip()
            if not item_label:
                continue
            raw = data.get(f"g{i}-i{j}-deduction", "")
            deduction = _number(raw)
            if deduction is None:
                errors.append(f"项目组“{label or i + 1}”的评分项“{item_label}”：每处扣分须为 0 至 100 之间的正数")
            key = data.get(f"g{i}-i{j}-key", "").strip() or _fresh_key("item", used)
            items.append({"key": key, "label": item_label, "deduction": raw if deduction is None else deduction})
        if not label:
            if items:
                errors.append(f"第 {i + 1} 个项目组有评分项但没有名称：请填写名称，或清空其评分项以删除该组")
            continue
        raw = data.get(f"g{i}-points", "")
        points = _number(raw)
        if points is None:
            errors.append(f"项目组“{label}”：分值须为 0 至 100 之间的正数")
        part = data.get(f"g{i}-part", "").strip()
        if part not in PARTS:
            errors.append(f"项目组“{label}”：类别须为“卷面”或“内容”")
        key = data.get(f"g{i}-key", "").strip() or _fresh_key("group", used)
        groups.append(
            {"key": key, "label": label, "part": part, "points": raw if points is None else points, "items": items}
        )
    for k in range(_MAX_ROWS):
        if f"v{k}-label" not in data:
            break
        label = data.get(f"v{k}-label", "").strip()
        if label:
            vetoes.append({"key": data.get(f"v{k}-key", "").strip() or _fresh_key("veto", used), "label": label})
    rubric = {"groups": groups, "vetoes": vetoes}
    if not groups:
        errors.append("评查标准至少须有一个评分项目组")
    return rubric, errors or rubric_errors(rubric)


def item_keys(rubric: Mapping) -> dict[str, dict]:
    return {item["key"]: item for g in rubric["groups"] for item in g.get("items", [])}


def veto_keys(rubric: Mapping) -> dict[str, str]:
    return {v["key"]: v["label"] for v in rubric.get("vetoes", [])}


@dataclass
class FileScore:
    total: float
    vetoed: bool
    failed: bool  # 不合格卷: a veto, or under the pass mark
    groups: dict[str, float] = field(default_factory=dict)
    lost: dict[str, float] = field(default_factory=dict)  # per item


def marks_errors(rubric: Mapping, marks: Mapping[str, int], vetoes: Iterable[str]) -> list[str]:
    known, known_vetoes = item_keys(rubric), veto_keys(rubric)
    errors = [f"评分项“{k}”不在评查标准中" for k in marks if k not in known]
    errors += [
        f"第 {k} 项扣分次数须为 0 至 50 的整数" for k, n in marks.items() if not (isinstance(n, int) and 0 <= n <= 50)
    ]
    errors += [f"否决项“{k}”不在评查标准中" for k in vetoes if k not in known_vetoes]
    return errors


def score_file(rubric: Mapping, marks: Mapping[str, int], vetoes: Iterable[str] = ()) -> FileScore:
    """Score a file: each group's points less its deductions (never below zero); a veto makes it 0 and 不合格."""
    vetoed = bool(set(vetoes))
    result = FileScore(total=0.0, vetoed=vetoed, failed=vetoed)
    for g in rubric["groups"]:
        lost = 0.0
        for item in g.get("items", []):
            item_lost = float(item["deduction"]) * int(marks.get(item["key"], 0))
            result.lost[item["key"]] = item_lost
            lost += item_lost
        result.groups[g["key"]] = max(0.0, float(g["points"]) - lost)
    if not vetoed:
        result.total = sum(result.groups.values())
        result.failed = result.total < PASS_MARK
    return result


def needs_reconciliation(first: FileScore, second: FileScore, *, gap: float) -> bool:
    """Two reviews disagree: their totals differ by more than `gap` points, or one vetoes and the other does not."""
    return first.vetoed != second.vetoed or abs(first.total - second.total) > gap


@dataclass(frozen=True)
class ItemComparison:
    key: str
    label: str
    mine: float
    expert: float

    @property
    def matches(self) -> bool:
        return abs(self.mine - self.expert) < 1e-9


def compare(rubric: Mapping, mine: FileScore, expert: FileScore) -> list[ItemComparison]:
    """Per item, the points a trainee took off beside the expert's (the training mode's feedback)."""
    return [
        ItemComparison(item["key"], item["label"], mine.lost.get(item["key"], 0.0), expert.lost.get(item["key"], 0.0))
        for g in rubric["groups"]
        for item in g.get("items", [])
    ]
