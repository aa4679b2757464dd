"""A few small laws written for the tests (national, one of 江北省, one of 山东省), indexed."""

from __future__ import annotations

import datetime as dt

import pytest

from zhifa.laws.models import Law, LawVersion, Provision
from zhifa.laws.search.indexing import index_law

LAWS = {
    ("中华人民共和国行政处罚法", "行政处罚法", Law.Category.LAW, ""): [
        (
            "第三十二条",
            "当事人有下列情形之一，应当从轻或者减轻行政处罚：（一）主动消除或者减轻违法行为危害后果的；"
            "（二）受他人胁迫或者诱骗实施违法行为的。",
        ),
        (
            "第三十六条",
            "违法行为在二年内未被发现的，不再给予行政处罚；法律另有规定的除外。前款规定的期限，从违法行为"
            "发生之日起计算；违法行为有连续或者继续状态的，从行为终了之日起计算。追诉时效的规定适用于此。",
        ),
        (
            "第四十四条",
            "行政机关在作出行政处罚决定之前，应当告知当事人拟作出的行政处罚内容及事实、理由、依据，"
            "并告知当事人依法享有的陈述、申辩、要求听证等权利。",
        ),
        (
            "第六十三条",
            "行政机关拟作出较大数额罚款、没收较大数额违法所得、吊销许可证件等行政处罚决定，应当告知当事人"
            "有要求听证的权利，当事人要求听证的，行政机关应当组织听证。",
        ),
    ],
    ("中华人民共和国民法典", "民法典", Law.Category.LAW, ""): [
        ("第五十四条", "自然人从事工商业经营，经依法登记，为个体工商户。个体工商户可以起字号。"),
        (
            "第一千零六十二条",
            "夫妻在婚姻关系存续期间所得的下列财产，为夫妻的共同财产，归夫妻共同所有：工资、奖金、"
            "劳务报酬；生产、经营、投资的收益。",
        ),
        ("第一千零七十九条", "夫妻一方要求离婚的，可以由有关组织进行调解或者直接向人民法院提起离婚诉讼。"),
    ],
    ("中华人民共和国食品安全法", "食品安全法", Law.Category.LAW, ""): [
        (
            "第一百四十八条",
            "消费者因不符合食品安全标准的食品受到损害的，可以向经营者要求赔偿损失，也可以向生产者要求"
            "赔偿损失。生产不符合食品安全标准的食品，消费者还可以要求支付价款十倍的赔偿金。",
        ),
    ],
    ("江北省市场监督管理条例", "江北省市场监督管理条例", Law.Category.LOCAL_REGULATION, "江北省"): [
        ("第十条", "市场监督管理部门实施行政处罚，应当依法告知当事人听证权利。"),
    ],
    ("山东省市场监督管理条例", "山东省市场监督管理条例", Law.Category.LOCAL_REGULATION, "山东省"): [
        ("第十条", "市场监督管理部门实施行政处罚，应当公开听证程序。"),
    ],
}


def create_law(
    title: str, short_title: str, category: str, region: str, articles, *, status: str = LawVersion.Status.IN_FORCE
) -> Law:
    """A law with one current version and its articles, indexed."""
    law = Law.objects.create(title=title, short_title=short_title, category=category, region=region)
    version = LawVersion.objects.create(
        law=law, version_date=dt.date(2021, 1, 22), status=status, is_current=True, checksum=short_title
    )
    Provision.objects.bulk_create(
        [
            Provision(
                version=version,
                kind=Provision.Kind.ARTICLE,
                position=i,
                label=label,
                text=text,
                key=f"{short_title}#{label}",
            )
            for i, (label, text) in enumerate(articles, start=1)
        ]
    )
    index_law(law)
    return law


@pytest.fixture(autouse=True)
def no_learned_prior(settings, tmp_path):
    """Tests rank lexically unless they train a prior or re-ranker themselves (never the developer's var/search/)."""
    settings.ZHIFA_SEARCH_PRIOR = tmp_path / "no-prior.npz"
    settings.ZHIFA_SEARCH_RANKER = tmp_path / "ranker"


@pytest.fixture
def search_laws(db) -> dict[str, Law]:
    return {key[1]: create_law(*key, articles) for key, articles in LAWS.items()}
