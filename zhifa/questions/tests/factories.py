"""Small builders for question tests (also usable by other apps' tests)."""

from __future__ import annotations

import itertools

from zhifa.questions import services
from zhifa.questions.models import KnowledgePoint, Question

_seq = itertools.count(1)


def make_point(name: str = "", *, code: str = "", parent: KnowledgePoint | None = None) -> KnowledgePoint:
    n = next(_seq)
    return services.knowledge_point_ensure(code=code or f"kp-{n}", name=name or f"知识点{n}", parent=parent)


def make_question(kind: str = "single", *, status: str = Question.Status.PUBLISHED, by=None, **fields) -> Question:
    """A valid question of `kind` with a unique stem; fields override the defaults."""
    n = next(_seq)
    defaults_by_kind: dict[str, dict] = {
        "single": {"options": ["罚款", "警告", "行政拘留", "没收违法所得"], "answer": ["B"]},
        "multiple": {"options": ["告知", "陈述", "申辩", "听证"], "answer": ["A", "B", "C"]},
        "judge": {"answer": [True]},
        "blank": {"answer": [["听证"], ["五日", "5日"]]},
        "short": {"answer": {"reference": "参考答案", "rubric": [{"point": "告知权利", "score": 2}]}},
        "case": {
            "answer": {"reference": "案例参考答案", "rubric": []},
            "sub_questions": [
                {"kind": "single", "stem": "小题一", "options": ["甲", "乙"], "answer": ["A"]},
                {
                    "kind": "short",
                    "stem": "小题二",
                    "answer": {"reference": "说明理由", "rubric": [{"point": "理由", "score": 3}]},
                },
            ],
        },
    }
    defaults = defaults_by_kind[kind]
    fields = {"stem": f"第{n}题：关于行政执法的题干{n}", **defaults, **fields}
    return services.question_create(kind=kind, status=status, by=by, **fields)
