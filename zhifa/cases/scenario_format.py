"""The scenario format (docs/scenarios.md): parse YAML into a Scenario and report every problem with its line.

Pure: no ORM. Article keys are checked through a callable passed in (`unknown_articles(keys) -> unknown keys`), so
the caller decides where the law library lives, or skips the check (None). Graph checks (unreachable scenes, dead
ends, loops, pass marks no path reaches) are in scenario_graph and run once the structure is sound.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml

from zhifa.cases.scenario_conditions import ConditionError, condition_parse, condition_variables
from zhifa.cases.scenario_types import (
    DIMENSIONS,
    ROLES,
    Benchmark,
    Choice,
    Decision,
    Ending,
    Issue,
    ParseResult,
    Scenario,
    Scene,
    Veto,
)

MAX_BYTES = 200_000
MAX_SCENES = 200
TOP_KEYS = {
    "id",
    "title",
    "domain",
    "role",
    "summary",
    "start",
    "variables",
    "vetoes",
    "scenes",
    "benchmark",
    "passing",
    "credit_hours",
    "hours_category",
}
SCENE_KEYS = {"title", "speaker", "narrative", "media", "choices", "decision", "ending"}
CHOICE_KEYS = {"text", "goto", "if", "effects", "set", "add", "veto", "feedback", "basis", "mistake", "contrast"}
ENDING_KEYS = {"outcome", "title", "debrief"}
DECISION_KEYS = {"prompt", "goto", "amount", "measures", "effects", "feedback"}
AMOUNT_KEYS = {"min", "max"}
BENCHMARK_KEYS = {"amount", "measures", "basis", "note"}
VETO_KEYS = {"title", "basis", "explanation"}
MEDIA_KEYS = {"image", "video", "caption"}
CONTRAST_KEYS = {"officer", "party"}
HOURS_CATEGORIES = {"legal", "skill", "ethics"}
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml composes ~10× faster; marks are the same
YAML_PROBLEMS = {  # libyaml's wording → what an author can act on
    "did not find expected key": "缩进不一致或缺少键",
    "mapping values are not allowed in this context": "此处不能出现冒号（文字中的冒号请用全角“：”或给整段加引号）",
    "found character that cannot start any token": "出现了不能作为开头的字符（如制表符 Tab，请改用空格缩进）",
    "could not find expected ':'": "缺少冒号",
    "did not find expected ',' or ']'": "方括号列表没有闭合，或缺少逗号",
    "did not find expected ',' or '}'": "花括号映射没有闭合，或缺少逗号",
    "found unexpected end of stream": "文件意外结束（引号或括号没有闭合）",
    "did not find expected '-' indicator": "列表项缩进不一致",
    "found undefined alias": "使用了未定义的别名",
}
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class _Document:
    """YAML composed into plain values, remembering the line of every key and item (1-based)."""

    def __init__(self, text: str):
        self.lines: dict[tuple, int] = {}
        self.issues: list[Issue] = []
        self._seen: set[int] = set()
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
        self.loader = yaml.SafeLoader("")
        self.data = None if node is None else self._convert(node, ())

    def _convert(self, node: yaml.Node, path: tuple) -> Any:
        self.lines.setdefault(path, node.start_mark.line + 1)
        if id(node) in self._seen:  # an alias: report where it is used, not where the anchor is
            self.issues.append(Issue(self.line(*path), "不支持 YAML 锚点和别名（& / *）：请把内容直接写出"))
            return None
        self._seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            result: dict = {}
            for key_node, value_node in node.value:
                key = self._convert(key_node, (*path, "<key>"))
                line = key_node.start_mark.line + 1
                if not isinstance(key, str | int) or isinstance(key, bool):
                    self.issues.append(Issue(line, "键必须是文字"))
                    continue
                key = str(key)
                if key in result:
                    self.issues.append(Issue(line, f"键“{key}”重复：同一层级只能出现一次"))
                self.lines[(*path, key)] = line
                result[key] = self._convert(value_node, (*path, key))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self._convert(item, (*path, i)) for i, item in enumerate(node.value)]
        return self.loader.construct_object(node, deep=True)

    def line(self, *path) -> int:
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)


class _Builder:
    """Walks the document top-down, collecting issues; builds the Scenario only from parts that are sound."""

    def __init__(self, doc: _Document):
        self.doc = doc
        self.issues = list(doc.issues)

    def error(self, path: tuple, message: str) -> None:
        self.issues.append(Issue(self.doc.line(*path), message))

    def mapping(self, value: Any, path: tuple, what: str, allowed: set[str]) -> dict:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.error(path, f"{what}应是“键: 值”的映射")
            return {}
        for key in value:
            if key not in allowed:
                self.error((*path, key), f"{what}中有未知的键“{key}”：可用的键为 {'、'.join(sorted(allowed))}")
        return value

    def text(self, value: Any, path: tuple, what: str, *, required: bool = False) -> str:
        if value is None:
            if required:
                self.error(path, f"缺少{what}")
            return ""
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            self.error(path, f"{what}应是文字")
            return ""
        if required and not str(value).strip():
            self.error(path, f"{what}不能为空")
        return str(value).strip()

    def integer(self, value: Any, path: tuple, what: str) -> int:
        if not isinstance(value, int) or isinstance(value, bool):
            self.error(path, f"{what}应是整数（如 2 或 -3），实际为“{value}”")
            return 0
        return value

    def number(self, value: Any, path: tuple, what: str) -> Decimal:
        try:
            if isinstance(value, bool):
                raise InvalidOperation
            result = Decimal(str(value))
            if not result.is_finite() or result < 0:
                raise InvalidOperation
            return result
        except (InvalidOperation, ValueError):
            self.error(path, f"{what}应是不小于 0 的数字，实际为“{value}”")
            return Decimal(0)

    def text_list(self, value: Any, path: tuple, what: str) -> list[str]:
        if value is None:
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.error(path, f"{what}应是列表")
            return []
        return [self.text(item, (*path, i), what, required=True) for i, item in enumerate(value)]

    def article_list(self, value: Any, path: tuple) -> list[str]:
        keys = self.text_list(value, path, "法律依据")
        for i, key in enumerate(keys):
            if key and ("#" not in key or not key.split("#", 1)[1].startswith("第")):
                self.error((*path, i), f"法律依据“{key}”格式不对：应写成“法规简称#第X条”，如 行政处罚法#第五十五条")
        return [k for k in keys if k]

    def effects(self, value: Any, path: tuple, what: str = "得分效果 effects") -> dict[str, int]:
        effects = {}
        for dim, points in self.mapping(value, path, what, set(DIMENSIONS)).items():
            if dim in DIMENSIONS:
                effects[dim] = self.integer(points, (*path, dim), f"{DIMENSIONS[dim]}得分")
        return effects

    def condition(self, text: str, path: tuple):
        try:
            return condition_parse(text)
        except ConditionError as exc:
            self.error(path, str(exc))
            return None


def scenario_parse(text: str, *, unknown_articles: Callable[[set[str]], set[str]] | None = None) -> ParseResult:
    """Parse and validate a scenario; every problem becomes an Issue with a line number, nothing is raised."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        return ParseResult(None, [Issue(1, f"文件过大（超过 {MAX_BYTES // 1000} KB）：请精简内容或拆分为多个演练")])
    try:
        doc = _Document(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = exc.problem or exc.context or "格式错误"
        problem = next((zh for en, zh in YAML_PROBLEMS.items() if problem.startswith(en)), problem)
        return ParseResult(None, [Issue(line, f"YAML 语法错误：{problem}。请检查这一行的缩进、冒号和引号")])
    except yaml.YAMLError as exc:
        return ParseResult(None, [Issue(1, f"YAML 无法解析（{exc}）：请检查文件格式")])
    builder = _Builder(doc)
    scenario = _scenario(builder, doc.data)
    if scenario is not None:
        _references(builder, scenario, unknown_articles)
    if scenario is not None and not builder.issues:
        from zhifa.cases.scenario_graph import graph_issues  # the graph module imports the types, not this one

        builder.issues += graph_issues(scenario)
    issues = sorted(set(builder.issues))
    return ParseResult(scenario if not issues else None, issues)


def _scenario(b: _Builder, data: Any) -> Scenario | None:
    if data is None:
        b.error((), "文件为空：至少需要 id、title、start 和 scenes")
        return None
    if not isinstance(data, dict):
        b.error((), "演练文件的顶层应是“键: 值”的映射（id、title、start、scenes ……）")
        return None
    top = b.mapping(data, (), "演练文件", TOP_KEYS)
    key = b.text(top.get("id"), ("id",), "演练编号 id", required=True)
    if key and not _ID.match(key):
        b.error(("id",), f"演练编号“{key}”只能包含小写字母、数字和连字符，如 counterfeit-inspection")
    role = b.text(top.get("role"), ("role",), "角色 role") or "officer"
    if role not in ROLES:
        b.error(("role",), f"角色“{role}”无效：只能是 officer（执法人员）或 party（当事人，换位思考）")
    variables = _variables(b, top.get("variables"))
    scenes_data = b.mapping(top.get("scenes"), ("scenes",), "场景 scenes", set(top.get("scenes") or {}))
    if not scenes_data:
        b.error(("scenes",), "缺少场景 scenes：至少需要一个开始场景和一个结局")
    if len(scenes_data) > MAX_SCENES:
        b.error(("scenes",), f"场景过多（{len(scenes_data)} 个，上限 {MAX_SCENES}）：请拆分演练")
        return None
    scenes = {}
    for scene_id, value in scenes_data.items():
        scene = _scene(b, scene_id, value, variables)
        if scene is not None:
            scenes[scene_id] = scene
    start = b.text(top.get("start"), ("start",), "开始场景 start", required=True)
    if start and scenes_data and start not in scenes_data:
        b.error(("start",), f"开始场景“{start}”不存在：请写成 scenes 下的某个场景名")
    hours = top.get("credit_hours")
    category = b.text(top.get("hours_category"), ("hours_category",), "学时类别") or "skill"
    if category not in HOURS_CATEGORIES:
        b.error(("hours_category",), f"学时类别“{category}”无效：只能是 legal、skill 或 ethics")
    return Scenario(
        key=key,
        title=b.text(top.get("title"), ("title",), "标题 title", required=True),
        domain=b.text(top.get("domain"), ("domain",), "执法领域 domain"),
        role=role,
        summary=b.text(top.get("summary"), ("summary",), "简介 summary"),
        start=start,
        variables=variables,
        vetoes=_vetoes(b, top.get("vetoes")),
        scenes=scenes,
        benchmark=_benchmark(b, top.get("benchmark")),
        passing=b.effects(top.get("passing"), ("passing",), "合格线 passing"),
        credit_hours=None if hours is None else b.number(hours, ("credit_hours",), "学时 credit_hours"),
        hours_category=category,
        lines={f"passing.{dim}": b.doc.line("passing", dim) for dim in DIMENSIONS},
    )


def _variables(b: _Builder, value: Any) -> dict[str, Any]:
    variables = {}
    for name, initial in b.mapping(value, ("variables",), "变量 variables", set(value or {})).items():
        path = ("variables", name)
        if not _NAME.match(name) or name in ("and", "or", "not", "true", "false"):
            b.error(path, f"变量名“{name}”无效：用英文字母、数字和下划线，且不能是 and/or/not/true/false")
        elif not isinstance(initial, bool | int | str):
            b.error(path, f"变量“{name}”的初始值应是 true/false、整数或文字")
        else:
            variables[name] = initial
    return variables


def _vetoes(b: _Builder, value: Any) -> dict[str, Veto]:
    vetoes = {}
    for key, item in b.mapping(value, ("vetoes",), "否决项 vetoes", set(value or {})).items():
        path = ("vetoes", key)
        data = b.mapping(item, path, f"否决项“{key}”", VETO_KEYS)
        vetoes[key] = Veto(
            key=key,
            title=b.text(data.get("title"), (*path, "title"), f"否决项“{key}”的标题 title", required=True),
            basis=b.article_list(data.get("basis"), (*path, "basis")),
            explanation=b.text(data.get("explanation"), (*path, "explanation"), "说明 explanation"),
        )
        if not vetoes[key].basis:
            b.error(path, f"否决项“{key}”缺少法律依据 basis：否决项必须注明违反的条文")
    return vetoes


def _amount_range(b: _Builder, value: Any, path: tuple, what: str) -> tuple[Decimal, Decimal]:
    data = b.mapping(value, path, what, AMOUNT_KEYS)
    if not data:
        b.error(path, f"缺少{what}：写成 {{min: 5000, max: 30000}}")
        return Decimal(0), Decimal(0)
    low = b.number(data.get("min"), (*path, "min"), f"{what}下限 min")
    high = b.number(data.get("max"), (*path, "max"), f"{what}上限 max")
    if low > high:
        b.error(path, f"{what}下限 {low} 大于上限 {high}：请交换两者")
    return low, high


def _benchmark(b: _Builder, value: Any) -> Benchmark | None:
    if value is None:
        return None
    data = b.mapping(value, ("benchmark",), "裁量基准 benchmark", BENCHMARK_KEYS)
    low, high = _amount_range(b, data.get("amount"), ("benchmark", "amount"), "裁量基准的罚款金额范围")
    return Benchmark(
        amount_min=low,
        amount_max=high,
        measures=b.text_list(data.get("measures"), ("benchmark", "measures"), "基准处罚种类"),
        basis=b.article_list(data.get("basis"), ("benchmark", "basis")),
        note=b.text(data.get("note"), ("benchmark", "note"), "说明"),
    )


def _scene(b: _Builder, scene_id: str, value: Any, variables: dict) -> Scene | None:
    path = ("scenes", scene_id)
    if not re.match(r"^[A-Za-z0-9_-]+$", scene_id):
        b.error(path, f"场景名“{scene_id}”只能包含英文字母、数字、下划线和连字符")
    data = b.mapping(value, path, f"场景“{scene_id}”", SCENE_KEYS)
    scene = Scene(
        id=scene_id,
        line=b.doc.line(*path),
        speaker=b.text(data.get("speaker"), (*path, "speaker"), "说话人 speaker"),
        title=b.text(data.get("title"), (*path, "title"), "场景标题 title"),
        narrative=b.text(
            data.get("narrative"), (*path, "narrative"), f"场景“{scene_id}”的叙述 narrative", required=True
        ),
        media={
            k: b.text(v, (*path, "media", k), "媒体")
            for k, v in b.mapping(data.get("media"), (*path, "media"), "媒体 media", MEDIA_KEYS).items()
        },
    )
    kinds = [k for k in ("choices", "decision", "ending") if data.get(k) is not None]
    if not kinds:
        b.error(path, f"场景“{scene_id}”是死胡同：没有选项 choices、裁量决定 decision，也不是结局 ending")
    elif len(kinds) > 1:
        b.error(path, f"场景“{scene_id}”同时写了 {'、'.join(kinds)}：一个场景只能是其中一种")
    if "choices" in kinds:
        items = data["choices"]
        if not isinstance(items, list) or not items:
            b.error((*path, "choices"), f"场景“{scene_id}”的选项 choices 应是非空列表（每项以“- text:”开头）")
        else:
            scene.choices = [_choice(b, (*path, "choices", i), i, item, variables) for i, item in enumerate(items)]
    if "decision" in kinds:
        scene.decision = _decision(b, (*path, "decision"), data["decision"])
    if "ending" in kinds:
        scene.ending = _ending(b, (*path, "ending"), data["ending"])
    return scene


def _choice(b: _Builder, path: tuple, index: int, value: Any, variables: dict) -> Choice:
    data = b.mapping(value, path, f"选项 {index + 1}", CHOICE_KEYS)
    choice = Choice(
        index=index,
        line=b.doc.line(*path),
        text=b.text(data.get("text"), (*path, "text"), f"选项 {index + 1} 的文字 text", required=True),
        goto=b.text(data.get("goto"), (*path, "goto"), f"选项 {index + 1} 的去向 goto", required=True),
        effects=b.effects(data.get("effects"), (*path, "effects")),
        veto=b.text(data.get("veto"), (*path, "veto"), "否决项 veto"),
        feedback=b.text(data.get("feedback"), (*path, "feedback"), "反馈 feedback"),
        basis=b.article_list(data.get("basis"), (*path, "basis")),
        contrast={
            k: b.text(v, (*path, "contrast", k), "换位对照")
            for k, v in b.mapping(data.get("contrast"), (*path, "contrast"), "换位对照 contrast", CONTRAST_KEYS).items()
        },
    )
    if data.get("if") is not None:
        choice.condition = b.text(data["if"], (*path, "if"), "条件 if")
        choice.expr = b.condition(choice.condition, (*path, "if"))
    for name, new in b.mapping(data.get("set"), (*path, "set"), "赋值 set", set(data.get("set") or {})).items():
        if name in variables and type(new) is not type(variables[name]):
            b.error((*path, "set", name), f"变量“{name}”的类型与初始值不同：初始值为 {variables[name]!r}")
        choice.set[name] = new
    for name, step in b.mapping(data.get("add"), (*path, "add"), "累加 add", set(data.get("add") or {})).items():
        choice.add[name] = b.integer(step, (*path, "add", name), f"变量“{name}”的增量")
        if name in variables and (type(variables[name]) is not int):
            b.error((*path, "add", name), f"变量“{name}”不是整数，不能累加")
    mistake = data.get("mistake")
    if mistake is not None and not isinstance(mistake, bool):
        b.error((*path, "mistake"), "mistake 应是 true 或 false")
    choice.mistake = (
        bool(mistake)
        if isinstance(mistake, bool)
        else (bool(choice.veto) or any(points < 0 for points in choice.effects.values()))
    )
    return choice


def _decision(b: _Builder, path: tuple, value: Any) -> Decision:
    data = b.mapping(value, path, "裁量决定 decision", DECISION_KEYS)
    low, high = _amount_range(b, data.get("amount"), (*path, "amount"), "可填写的罚款金额范围")
    measures = b.text_list(data.get("measures"), (*path, "measures"), "处罚种类")
    if not measures:
        b.error((*path, "measures"), "裁量决定缺少可选的处罚种类 measures（如 警告、罚款、没收违法所得）")
    return Decision(
        goto=b.text(data.get("goto"), (*path, "goto"), "裁量决定的去向 goto", required=True),
        prompt=b.text(data.get("prompt"), (*path, "prompt"), "提示 prompt"),
        amount_min=low,
        amount_max=high,
        measures=measures,
        effects=b.effects(data.get("effects"), (*path, "effects")),
        feedback=b.text(data.get("feedback"), (*path, "feedback"), "反馈 feedback"),
        line=b.doc.line(*path),
    )


def _ending(b: _Builder, path: tuple, value: Any) -> Ending:
    data = b.mapping(value, path, "结局 ending", ENDING_KEYS)
    outcome = b.text(data.get("outcome"), (*path, "outcome"), "结局类型 outcome") or "success"
    if outcome not in ("success", "failure"):
        b.error((*path, "outcome"), f"结局类型“{outcome}”无效：只能是 success 或 failure")
    return Ending(
        outcome=outcome,
        title=b.text(data.get("title"), (*path, "title"), "结局标题 title", required=True),
        debrief=b.text(data.get("debrief"), (*path, "debrief"), "结局讲评 debrief", required=True),
    )


def _references(b: _Builder, scenario: Scenario, unknown_articles: Callable[[set[str]], set[str]] | None) -> None:
    """Names used must exist: scenes in goto, variables in conditions and assignments, vetoes, article keys."""
    cited: dict[str, tuple] = {}
    for scene in scenario.scenes.values():
        base = ("scenes", scene.id)
        if scene.decision is not None:
            _goto_check(b, scenario, scene.decision.goto, (*base, "decision", "goto"))
            if scenario.benchmark is None:
                b.error((*base, "decision"), "裁量决定需要在顶层配置裁量基准 benchmark（金额范围和处罚种类）")
        for choice in scene.choices:
            path = (*base, "choices", choice.index)
            _goto_check(b, scenario, choice.goto, (*path, "goto"))
            used: list[tuple[str, tuple]] = (
                [(n, (*path, "if")) for n in sorted(condition_variables(choice.expr))] if choice.expr else []
            )
            used += [(n, (*path, "set", n)) for n in choice.set] + [(n, (*path, "add", n)) for n in choice.add]
            for name, where in used:
                if name not in scenario.variables:
                    b.error(where, f"未知变量“{name}”：请先在顶层 variables 中声明它和初始值")
            if choice.veto and choice.veto not in scenario.vetoes:
                b.error((*path, "veto"), f"未知否决项“{choice.veto}”：请在顶层 vetoes 中定义它")
            for key in choice.basis:
                cited.setdefault(key, (*path, "basis"))
    for key, veto in scenario.vetoes.items():
        for article in veto.basis:
            cited.setdefault(article, ("vetoes", key, "basis"))
    for article in scenario.benchmark.basis if scenario.benchmark else []:
        cited.setdefault(article, ("benchmark", "basis"))
    if unknown_articles is not None and cited:
        for key in sorted(unknown_articles(set(cited))):
            b.error(cited[key], f"法律依据“{key}”在法规库中找不到：请核对法规简称和条号（如 行政处罚法#第五十五条）")


def _goto_check(b: _Builder, scenario: Scenario, target: str, path: tuple) -> None:
    if target and target not in scenario.scenes:
        b.error(path, f"去向“{target}”不是已有的场景：请检查拼写或新增该场景")
