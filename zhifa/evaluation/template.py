"""The province's default indicator tree (考核指标体系) shipped with the platform, as data (no ORM).

Each entry: (code, name, weight %, (min, max) a unit may set, source, rule, children). Sources:
  computed: hours, exams, drills, case_files, satisfaction, third_party (read from the platform)
  entered:  a reviewer enters a value or a count of events with evidence
  imported: values from an Excel sheet (e.g. reversals from the supervision system)
"""

from __future__ import annotations

COMPUTED = {
    "hours": "学时完成率（%）：本年度已认定学时 ÷ 学时要求",
    "exams": "考试平均成绩（%）：本年度各场考试最好成绩的平均得分率",
    "drills": "演练合格率（%）：本年度完成的模拟执法演练中合格的比例",
    "case_files": "案卷评查平均分：本年度本人经办案卷的评查得分（不合格卷计 0 分）",
    "satisfaction": "群众满意度：本年度满意度调查的平滑得分（百分制）",
    "third_party": "第三方评估得分率（%）：评估机构提交的评估表得分",
}
SOURCES = {"computed": "平台计算", "entered": "评审录入", "imported": "Excel 导入"}

DEFAULT_TEMPLATE: list[tuple] = [
    (
        "training",
        "学习培训",
        30,
        (20, 40),
        "",
        None,
        [
            ("hours", "学时完成情况", 40, (30, 50), "computed:hours", {"kind": "linear", "low": 50, "high": 100}, []),
            ("exams", "考试成绩", 35, (25, 45), "computed:exams", {"kind": "linear", "low": 40, "high": 90}, []),
            (
                "drills",
                "模拟执法演练",
                25,
                (15, 35),
                "computed:drills",
                {"kind": "banded", "bands": [[90, 100], [70, 85], [50, 70], [0, 40]]},
                [],
            ),
        ],
    ),
    (
        "ethics",
        "职业道德",
        15,
        (10, 20),
        "",
        None,
        [
            (
                "conduct",
                "日常表现",
                60,
                (50, 70),
                "entered",
                {"kind": "banded", "bands": [[90, 100], [75, 85], [60, 70]], "missing": "full"},
                [],
            ),
            ("complaints", "投诉查实", 40, (30, 50), "entered", {"kind": "deduction", "per_event": 25}, []),
            ("integrity", "廉政纪律（一票否决）", 0, (0, 0), "entered", {"kind": "veto"}, []),
        ],
    ),
    (
        "quality",
        "执法质量",
        30,
        (20, 40),
        "",
        None,
        [
            (
                "case_files",
                "案卷评查",
                60,
                (50, 70),
                "computed:case_files",
                {"kind": "linear", "low": 60, "high": 95, "missing": "full"},
                [],
            ),
            ("reversals", "复议、诉讼纠错", 40, (30, 50), "imported", {"kind": "deduction", "per_event": 30}, []),
        ],
    ),
    (
        "public",
        "群众评价",
        15,
        (10, 20),
        "",
        None,
        [
            (
                "satisfaction",
                "群众满意度",
                100,
                (100, 100),
                "computed:satisfaction",
                {"kind": "linear", "low": 60, "high": 95, "missing": "full"},
                [],
            ),
        ],
    ),
    (
        "third",
        "第三方评估",
        10,
        (5, 15),
        "",
        None,
        [
            (
                "third_party",
                "第三方评估",
                100,
                (100, 100),
                "computed:third_party",
                {"kind": "linear", "low": 60, "high": 95, "missing": "full"},
                [],
            ),
        ],
    ),
]

# The default third-party review form: items scored by the evaluator.
DEFAULT_FORM = [
    {"key": "attitude", "label": "执法态度与文明用语", "points": 25},
    {"key": "procedure", "label": "执法程序规范", "points": 25},
    {"key": "disclosure", "label": "执法公示与信息公开", "points": 20},
    {"key": "records", "label": "执法全过程记录", "points": 30},
]
