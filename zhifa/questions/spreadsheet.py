"""The Excel layout training offices use, read and written without the ORM (openpyxl).

Columns (row 1, any order): 题型, 题干, 选项A … 选项H, 答案, 解析, 难度, 知识点, 法条依据,
and optionally 执法领域, 编号, 来源, 用途 (练习 / 考试 / 两者; empty = the bank's default). One question per row;
the sub-questions of a case question follow it on rows whose 题型 is "小题-单选题" etc.
Answers: choice "ACD"; judge 对/错; blanks separated by "；", alternatives of one blank by "|"; short/case the
reference answer, then one line per scoring point "要点：…（2分）" (optionally "关键词：a、b" after it).
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import Any

from openpyxl import load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.datavalidation import DataValidation

from zhifa.common import excel
from zhifa.questions import content
from zhifa.questions.checking import CHOICE_LABELS, judge_value
from zhifa.questions.content import QuestionData

OPTION_COLUMNS = [f"选项{label}" for label in CHOICE_LABELS]
COLUMNS = ["题型", "题干", *OPTION_COLUMNS, "答案", "解析", "难度", "知识点", "法条依据"]
OPTIONAL_COLUMNS = ["执法领域", "编号", "来源", "用途"]
REQUIRED_COLUMNS = ["题型", "题干", "答案"]
SHEET_NAME = "试题"
MAX_ROWS = 50_000
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
_SUB_PREFIX = re.compile(r"^小题[-－—:：·\s]*")
_POINT_LINE = re.compile(
    r"^要点[:：]\s*(?P<point>.+?)\s*[（(]\s*(?P<score>\d+(?:\.\d+)?)\s*分\s*[)）]\s*(?:关键词[:：]\s*(?P<keywords>.+))?$"
)
_MERGE = re.compile(rb'<mergeCell ref="([A-Z]+\d+:[A-Z]+\d+)"')


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self) -> dict:
        place = f"第 {self.row} 行" if self.row else "文件"
        where = f"{place}「{self.column}」" if self.column else place
        return {"row": self.row, "column": self.column, "message": f"{where}：{self.message}"}


@dataclass
class ParsedRow:
    row: int
    data: QuestionData


@dataclass
class ParsedFile:
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


# --- reading ------------------------------------------------------------------------------------------------------


def read_workbook(blob: bytes) -> ParsedFile:
    """Questions of the 试题 sheet (or the first sheet); file-level problems and row errors in Chinese."""
    result = ParsedFile()
    try:
        archive = zipfile.ZipFile(io.BytesIO(blob))
        if sum(info.file_size for info in archive.infolist()) > MAX_UNZIPPED_BYTES:
            result.errors.append(RowError(0, "", "文件解压后超过 200 MB，请拆分成多个文件上传。"))
            return result
        damaged = damaged_member(archive)
        if damaged:
            result.errors.append(RowError(0, "", damaged_message("Excel", damaged)))
            return result
        workbook = load_workbook(io.BytesIO(blob), read_only=True, data_only=False)
    # SyntaxError: XML that is no XML; NotImplementedError: a zip of a version or method zipfile cannot read (#19)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, SyntaxError, NotImplementedError):
        result.errors.append(
            RowError(0, "", "不是有效的 Excel 文件（.xlsx），请用“下载模板”得到的模板另存为 .xlsx 后上传。")
        )
        return result
    if not workbook.worksheets:
        result.errors.append(RowError(0, "", "该 Excel 文件没有工作表：请用“下载模板”得到的模板填写后上传。"))
        return result
    sheet = workbook[SHEET_NAME] if SHEET_NAME in workbook.sheetnames else workbook.worksheets[0]
    result.errors.extend(_merged_cells(archive, workbook, sheet.title))
    rows = sheet.iter_rows()
    header = next(rows, None)
    columns, header_errors = _header(header or ())
    result.errors.extend(header_errors)
    if header_errors:
        workbook.close()
        return result
    _read_rows(rows, columns, result)
    workbook.close()
    return result


def damaged_member(archive: zipfile.ZipFile) -> str | None:
    """The name of the first archive member that cannot be unpacked (damaged data, wrong checksum, unsupported
    compression or encryption), or None. Every member is read once up front, so that a damaged member is refused
    here and not met later, half-way through the rows, as zlib.error or BadZipFile (the reliability fuzzing)."""
    for info in archive.infolist():
        try:
            with archive.open(info) as member:
                while member.read(1024 * 1024):
                    pass
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError):
            return info.filename
    return None


def damaged_message(kind: str, member: str) -> str:
    """The refusal of an upload whose archive member cannot be unpacked: what is wrong, where, and the fix."""
    suffix = ".docx" if kind == "Word" else ".xlsx"
    return (
        f"{kind} 文件已损坏，无法读取（其中的 {member} 无法解压），未导入任何试题："
        f"请在 {kind} 中打开该文件，“另存为” {suffix} 后重新上传。"
    )


def _merged_cells(archive: zipfile.ZipFile, workbook, title: str) -> list[RowError]:
    # read-only mode does not load merged ranges; read them from the sheet's XML instead
    index = workbook.sheetnames.index(title) + 1
    name = f"xl/worksheets/sheet{index}.xml"
    if name not in archive.namelist():
        return []
    ranges = _MERGE.findall(archive.read(name))
    return [
        RowError(0, "", f"单元格 {ref.decode()} 是合并单元格，请取消合并，每个单元格各自填写后重新上传。")
        for ref in ranges
    ]


def _header_name(value: Any) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value or ""))).upper()


def _header(cells) -> tuple[dict[str, int], list[RowError]]:
    known = {_header_name(name): name for name in COLUMNS + OPTIONAL_COLUMNS}
    columns: dict[str, int] = {}
    errors: list[RowError] = []
    for position, cell in enumerate(cells):
        if cell.value is None or not str(cell.value).strip():
            continue
        name = known.get(_header_name(cell.value))
        if name is None:
            errors.append(RowError(1, str(cell.value), f"无法识别的列名，请使用模板中的列名：{'、'.join(COLUMNS)}。"))
        elif name in columns:
            errors.append(RowError(1, name, "列名重复，请删除多余的一列。"))
        else:
            columns[name] = position
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        errors.append(RowError(1, "", f"缺少必需的列：{'、'.join(missing)}。请下载模板，按模板的表头填写。"))
    return columns, errors


def _read_rows(rows, columns: dict[str, int], result: ParsedFile) -> None:
    case_row: ParsedRow | None = None
    for row_number, cells in enumerate(rows, start=2):
        values, formula_errors = _values(cells, columns, row_number)
        if not any(v not in (None, "") for v in values.values()):
            continue
        if row_number - 1 > MAX_ROWS:
            result.errors.append(RowError(row_number, "", f"超过 {MAX_ROWS} 行上限，请拆分成多个文件。"))
            return
        if formula_errors:
            result.errors.extend(formula_errors)
            continue
        case_row = _read_row(row_number, values, result, case_row)


def _values(cells, columns: dict[str, int], row_number: int) -> tuple[dict[str, Any], list[RowError]]:
    values: dict[str, Any] = {}
    errors = []
    for name, position in columns.items():
        cell = cells[position] if position < len(cells) else None
        value = getattr(cell, "value", None)
        if getattr(cell, "data_type", None) == "f" or (isinstance(value, str) and value.startswith("=")):
            errors.append(RowError(row_number, name, "单元格含公式，请复制后“选择性粘贴为数值”再上传。"))
        values[name] = value
    return values, errors


def _read_row(row_number: int, values: dict[str, Any], result: ParsedFile, case_row: ParsedRow | None):
    """Parse one row into result; returns the case row that following sub-question rows attach to."""
    kind_text = _text(values.get("题型"))
    is_sub = bool(_SUB_PREFIX.match(kind_text))
    kind = content.kind_from_name(_SUB_PREFIX.sub("", kind_text))
    if kind is None:
        result.errors.append(
            RowError(
                row_number,
                "题型",
                f"“{kind_text}”无法识别，应为单选题、多选题、判断题、填空题、简答题、案例分析题或“小题-单选题”等。",
            )
        )
        return None if not is_sub else case_row
    errors: list[RowError] = []
    data = row_data(kind, row_number, values, errors)
    result.errors.extend(errors)
    if is_sub:
        if case_row is None:
            result.errors.append(
                RowError(row_number, "题型", "小题之前没有案例分析题，请把小题放在所属案例分析题的下一行。")
            )
        elif data is not None:
            case_row.data = case_row.data.with_(sub_questions=(*case_row.data.sub_questions, data))
        return case_row
    if data is None:
        return None
    parsed = ParsedRow(row_number, data)
    result.rows.append(parsed)
    return parsed if kind == "case" else None


def row_data(kind: str, row: int, values: dict[str, Any], errors: list[RowError]) -> QuestionData | None:
    """One question from its values by column name (the Excel row; the Word reader builds the same dict)."""
    options = {label: _text(values.get(f"选项{label}")) for label in CHOICE_LABELS}
    last = max((i for i, label in enumerate(CHOICE_LABELS) if options[label]), default=-1)
    options = {label: options[label] for label in CHOICE_LABELS[: last + 1]}
    answer = _answer(kind, values.get("答案"), row, errors)
    difficulty = content.difficulty_from_text(values.get("难度"))
    if difficulty is None:
        errors.append(
            RowError(row, "难度", f"“{_text(values.get('难度'))}”无法识别，请填 1 到 5 或 易、较易、中等、较难、难。")
        )
    keys = []
    for text in re.split(r"[；;、\n]+", _text(values.get("法条依据"))):
        if text.strip():
            key = content.article_key(text)
            if key is None:
                errors.append(
                    RowError(
                        row,
                        "法条依据",
                        f"“{text.strip()}”无法识别，请写成“行政处罚法#第四十四条”或“《行政处罚法》第四十四条”。",
                    )
                )
            else:
                keys.append(key)
    use = content.use_from_text(values.get("用途"))
    if use is None:
        errors.append(
            RowError(
                row,
                "用途",
                f"“{_text(values.get('用途'))}”无法识别，请填“练习”“考试”或“两者”，留空则取题库的默认用途。",
            )
        )
    if answer is None or difficulty is None or use is None:
        return None
    return QuestionData(
        kind=kind,
        stem=content.stem_html(_text(values.get("题干"), strip=False)),
        answer=answer,
        options=options,
        explanation=_text(values.get("解析")),
        difficulty=difficulty,
        knowledge_points=tuple(content.split_list(values.get("知识点"))),
        article_keys=tuple(dict.fromkeys(keys)),
        domains=tuple(content.split_list(values.get("执法领域"))),
        source=_text(values.get("来源")),
        external_id=_text(values.get("编号")),
        use=use,
    )


def _text(value: Any, *, strip: bool = True) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = content.clean_text(excel.restore(str(value)).replace("_x000D_", ""))
    return text.strip() if strip else text


def _answer(kind: str, value: Any, row: int, errors: list[RowError]) -> Any:
    text = _text(value)
    if kind in content.CHOICE_KINDS:
        letters = re.sub(r"[\s,，、;；]+", "", unicodedata.normalize("NFKC", text)).upper()
        if not letters or not letters.isalpha() or not letters.isascii():
            errors.append(RowError(row, "答案", f"“{text}”不是选项字母，请填写如 A 或 ACD。"))
            return None
        return sorted(set(letters))
    if kind == "judge":
        judged = judge_value(value if isinstance(value, bool) else text)
        if judged is None:
            errors.append(RowError(row, "答案", f"“{text}”无法识别，判断题请填“对”或“错”。"))
            return None
        return [judged]
    if kind == "blank":
        blanks = [part for part in re.split(r"[；;\n]+", text) if part.strip()]
        return [[alt.strip() for alt in re.split(r"[|｜]", part) if alt.strip()] for part in blanks]
    return _subjective_answer(text)


def answer_from_text(kind: str, text: str) -> tuple[Any, list[str]]:
    """Parse an answer typed as in the 答案 column (forms use the same notation); (answer, error messages)."""
    errors: list[RowError] = []
    answer = _answer(kind, text, 0, errors)
    return answer, [error.message for error in errors]


def _subjective_answer(text: str) -> dict:
    reference, rubric = [], []
    for line in text.split("\n"):
        match = _POINT_LINE.match(line.strip())
        if match is None:
            reference.append(line)
            continue
        item: dict[str, Any] = {"point": match.group("point"), "score": float(match.group("score"))}
        if match.group("keywords"):
            item["keywords"] = content.split_list(match.group("keywords"))
        rubric.append(item)
    return content.canonical_answer("short", {"reference": "\n".join(reference).strip(), "rubric": rubric})


# --- writing ------------------------------------------------------------------------------------------------------


def answer_text(kind: str, answer: Any) -> str:
    """The 答案 cell of a question (the inverse of reading it)."""
    if kind in content.CHOICE_KINDS:
        return "".join(answer or [])
    if kind == "judge":
        return "对" if judge_value(answer) else "错"
    if kind == "blank":
        return "；".join("|".join(alternatives) for alternatives in answer or [])
    answer = answer if isinstance(answer, dict) else {}
    lines = [answer.get("reference", "")]
    for item in answer.get("rubric") or []:
        line = f"要点：{item.get('point', '')}（{item.get('score', 0)}分）"
        if item.get("keywords"):
            line += f"关键词：{'、'.join(item['keywords'])}"
        lines.append(line)
    return "\n".join(lines).strip()


def _row(data: QuestionData, *, sub: bool, labels: dict[str, str], domain_names: dict[str, str]) -> list[str]:
    kind_label = content.KIND_LABELS[data.kind]
    return [
        f"小题-{kind_label}" if sub else kind_label,
        content.stem_for_export(data.stem),
        *[data.options.get(label, "") for label in CHOICE_LABELS],
        answer_text(data.kind, data.answer),
        data.explanation,
        str(data.difficulty),
        "；".join(labels.get(code, code) for code in data.knowledge_points),
        "；".join(data.article_keys),
        "；".join(domain_names.get(code, code) for code in data.domains),
        data.external_id,
        data.source,
        "" if sub else content.USE_LABELS.get(data.use, ""),
    ]


def write_workbook(
    questions: list[QuestionData],
    *,
    knowledge_point_labels: dict[str, str] | None = None,
    domain_names: dict[str, str] | None = None,
) -> bytes:
    """An .xlsx in the import layout (with the optional columns), so it re-imports unchanged."""
    workbook = excel.workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_NAME)
    sheet.freeze_panes = "A2"
    for width, letter in zip([10, 60] + [24] * 8 + [16, 40, 6, 24, 28, 12, 20, 16], _letters(), strict=False):
        sheet.column_dimensions[letter].width = width
    sheet.append(COLUMNS + OPTIONAL_COLUMNS)
    labels, domains = knowledge_point_labels or {}, domain_names or {}
    for data in questions:
        sheet.append(_row(data, sub=False, labels=labels, domain_names=domains))
        for sub in data.sub_questions:
            sheet.append(_row(sub, sub=True, labels=labels, domain_names=domains))
    return excel.workbook_bytes(workbook)


def _letters() -> list[str]:
    from openpyxl.utils import get_column_letter

    return [get_column_letter(i) for i in range(1, len(COLUMNS) + len(OPTIONAL_COLUMNS) + 1)]


EXAMPLES = [
    {"题型": "单选题", "题干": "行政机关作出行政处罚决定前，应当告知当事人的内容不包括（  ）。",
     "选项A": "拟作出的行政处罚内容", "选项B": "事实、理由及依据", "选项C": "陈述、申辩的权利",
     "选项D": "执法人员的家庭住址", "答案": "D", "解析": "见行政处罚法第四十四条。", "难度": "2",
     "知识点": "行政处罚程序", "法条依据": "行政处罚法#第四十四条"},
    {"题型": "多选题", "题干": "下列属于行政处罚种类的有（  ）。", "选项A": "警告", "选项B": "罚款",
     "选项C": "行政拘留", "选项D": "记过", "答案": "ABC", "解析": "记过是处分，不是行政处罚。", "难度": "中等",
     "知识点": "行政处罚程序", "法条依据": "行政处罚法#第九条"},
    {"题型": "判断题", "题干": "执法人员当场作出行政处罚决定的，应当向当事人出示执法证件。", "答案": "对",
     "难度": "易", "知识点": "行政处罚程序", "法条依据": "行政处罚法#第五十二条"},
    {"题型": "填空题", "题干": "当事人要求听证的，应当在行政机关告知后____日内提出。", "答案": "五|5", "难度": "3",
     "知识点": "行政处罚程序", "法条依据": "行政处罚法#第六十四条"},
    {"题型": "简答题", "题干": "简述执法人员在调查取证时应当遵守的基本要求。", "难度": "3", "知识点": "调查取证",
     "答案": "执法人员不得少于两人，并出示执法证件。\n要点：不得少于两人（2分）\n"
             "要点：出示执法证件（2分）关键词：出示、证件"},
]  # fmt: skip
GUIDE = [
    "每行一道题；表头不要改动，不用的选项列留空即可。",
    "题型：单选题、多选题、判断题、填空题、简答题、案例分析题；案例分析题的小题紧跟其后，题型写“小题-单选题”等。",
    "答案：选择题写字母（如 A 或 ACD）；判断题写“对”或“错”；填空题各空用“；”分隔，同一空的多种写法用“|”分隔；",
    "简答题/案例分析题写参考答案，评分要点每行一条，如“要点：告知陈述申辩权（2分）”，可在后面加“关键词：陈述、申辩”。",
    "难度：1 到 5，或 易、较易、中等、较难、难；不填为 3。",
    "知识点：填写知识点名称或代码，多个用“；”分隔；必须是题库中已有的知识点。",
    "法条依据：写成“行政处罚法#第四十四条”或“《行政处罚法》第四十四条”，多个用“；”分隔。",
    "用途：练习、考试（保密题，不进入练习）或两者；留空则取导入时所选题库的默认用途。",
    "请不要合并单元格、不要使用公式；编号、来源、执法领域、用途四列可选。",
]


def template_workbook() -> bytes:
    """The downloadable template: the header, five example rows, drop-downs for 题型 and 难度, and a guide sheet."""
    workbook = excel.workbook()
    sheet = workbook.active
    sheet.title = SHEET_NAME
    sheet.append(COLUMNS + OPTIONAL_COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for example in EXAMPLES:
        sheet.append([example.get(column, "") for column in COLUMNS + OPTIONAL_COLUMNS])
        for cell in sheet[sheet.max_row]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    kinds = ",".join([*content.KIND_LABELS.values(), "小题-单选题", "小题-简答题"])
    for formula, ref in ((f'"{kinds}"', "A2:A5000"), ('"1,2,3,4,5,易,较易,中等,较难,难"', "M2:M5000")):
        validation = DataValidation(type="list", formula1=formula, allow_blank=True)
        validation.add(ref)
        sheet.add_data_validation(validation)
    for width, letter in zip([10, 60] + [20] * 8 + [16, 40, 6, 20, 28], _letters(), strict=False):
        sheet.column_dimensions[letter].width = width
    guide = workbook.create_sheet("填写说明")
    for line in GUIDE:
        guide.append([line])
    guide.column_dimensions["A"].width = 120
    return excel.workbook_bytes(workbook)
