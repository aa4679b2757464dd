"""Provincial certificate rules as plain data (no ORM): the rule codes, their labels, and 江北省's defaults.

江北省 is the demo's province; its texts are an example modelled on real provincial 行政执法证件管理办法 (validity of
2, 3 and 5 years, 40 学时 of concentrated training a year and a pass mark of 60 are all in force somewhere).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

RULE_CODES = {
    "validity": "证件有效期",
    "hours": "年度学时",
    "initial": "申领证件：岗前培训",
    "exam": "资格考试科目与合格分",
    "renewal": "换证考试",
    "rotation": "定期轮训",
    "idle": "连续无执法行为",
    "failed_exam": "考试不合格",
    "spot_check": "案卷抽查",
    "suspension": "暂扣未解除",
    "new_law": "新法考试不合格：暂扣并脱岗培训",
    "second_failure": "再次不合格：吊销",
}

PARTS = {"general": "公共法律知识", "specialised": "专业法律知识"}


@dataclass(frozen=True)
class Source:
    """Where a rule comes from: the document, its article, and the text itself."""

    document: str
    article: str
    text: str

    @property
    def citation(self) -> str:
        return f"《{self.document}》{self.article}" if self.document else ""


@dataclass(frozen=True)
class Rules:
    """One province's certificate rules (the pure twin of models.CertificateRuleSet)."""

    province: str
    validity_years: int = 5
    yearly_hours_total: Decimal = Decimal("40")
    category_hours: Mapping[str, Decimal] = field(default_factory=lambda: {"legal": Decimal("20")})
    hours_per_category: bool = False
    initial_training_hours: Decimal = Decimal("60")
    exam_pass_mark: Decimal = Decimal("60")
    exam_parts: tuple[str, ...] = ("general", "specialised")
    renewal_window_months: int = 6
    rotation_years: int = 3
    idle_years: int = 2
    review_month: int = 12
    fail_on_failed_exam: bool = True
    fail_on_spot_check: bool = True
    suspend_on_new_law_failure: bool = True
    revoke_on_second_failure: bool = True
    sources: Mapping[str, Source] = field(default_factory=dict)

    def cite(self, code: str) -> str:
        source = self.sources.get(code)
        return source.citation if source else ""


def sources_from_json(data: Mapping[str, Mapping[str, str]] | None) -> dict[str, Source]:
    """The `sources` JSON of a rule set as Source objects (unknown keys are kept; missing fields are blank)."""
    return {
        code: Source(document=v.get("document", ""), article=v.get("article", ""), text=v.get("text", ""))
        for code, v in (data or {}).items()
        if isinstance(v, Mapping)
    }


JIANGBEI_DOCUMENT = "江北省行政执法证件管理办法（示例）"
JIANGBEI_SOURCES: dict[str, dict[str, str]] = {
    "validity": {
        "article": "第十条",
        "text": "行政执法证件有效期为五年。有效期届满需要继续从事行政执法工作的，应当在有效期届满前申请换发。",
    },
    "hours": {
        "article": "第十八条第一款",
        "text": ("持证人员每年参加集中培训的时间不少于40学时，其中法律知识培训不少于20学时。"),
    },
    "initial": {
        "article": "第八条",
        "text": "申领行政执法证件的人员，应当参加不少于60学时的岗前培训，并通过行政执法资格考试。",
    },
    "exam": {
        "article": "第九条",
        "text": (
            "行政执法资格考试分为公共法律知识和专业法律知识两个科目。公共法律知识由省司法行政部门统一组织，"
            "专业法律知识由省级行业主管部门组织。两科成绩均达到60分为合格。"
        ),
    },
    "renewal": {
        "article": "第十一条",
        "text": "申请换发行政执法证件的，应当在证件有效期届满前6个月内参加换证考试，考试合格的予以换发。",
    },
    "rotation": {
        "article": "第十九条",
        "text": "行政执法机关应当对持证人员每三年至少轮训一次。",
    },
    "idle": {
        "article": "第二十二条第四项",
        "text": "持证人员连续两年未从事行政执法活动且无正当理由的，年审不予通过。",
    },
    "failed_exam": {
        "article": "第二十二条第二项",
        "text": "持证人员参加换证考试或者新颁布法律法规考试不合格的，年审不予通过。",
    },
    "spot_check": {
        "article": "第二十二条第三项",
        "text": "持证人员承办的行政执法案卷经评查不合格的，年审不予通过。",
    },
    "suspension": {
        "article": "第二十二条第五项",
        "text": "行政执法证件被暂扣且尚未解除的，年审不予通过。",
    },
    "new_law": {
        "article": "第二十四条第一款",
        "text": "新颁布的法律、法规、规章考试不合格的，暂扣其行政执法证件，脱岗参加培训后补考。",
    },
    "second_failure": {
        "article": "第二十四条第二款",
        "text": "补考仍不合格的，吊销其行政执法证件。",
    },
}

JIANGBEI = Rules(
    province="江北省",
    sources={code: Source(document=JIANGBEI_DOCUMENT, **v) for code, v in JIANGBEI_SOURCES.items()},
)
