"""Category and province of a text."""

import pytest

from zhifa.laws.classify import classify


@pytest.mark.parametrize(
    "title, history, folders, category, region",
    [
        ("中华人民共和国行政处罚法", ["1996年3月17日 第八届全国人民代表大会第四次会议通过"], [], "law", ""),
        ("中华人民共和国宪法", [], [], "constitution", ""),
        ("优化营商环境条例", ["2019年10月22日 中华人民共和国国务院令第722号公布"], [], "administrative_regulation", ""),
        ("明码标价和禁止价格欺诈规定", ["2022年4月14日 国家市场监督管理总局令第56号公布"], [], "departmental_rule", ""),
        ("最高人民法院关于审理行政许可案件若干问题的规定", [], [], "judicial_interpretation", ""),
        ("上海市专利保护条例", [], [], "local_regulation", "上海市"),
        (
            "东营市湿地保护条例",
            ["2018年11月30日 山东省第十三届人民代表大会常务委员会第七次会议批准"],
            [],
            "local_regulation",
            "山东省",
        ),
        ("宁波市人民调解条例", [], ["DLC", "浙江地方法规", "地方性法规", "浙江"], "local_regulation", "浙江省"),
        ("某某条例", [], ["部门规章", "公安部"], "departmental_rule", ""),
        ("关于某事项的通知", [], [], "normative_document", ""),
    ],
)
def test_classification_table(title, history, folders, category, region):
    found = classify(title=title, history=history, folders=folders)
    assert (found.category, found.region) == (category, region)


def test_court_cases_are_no_laws_but_a_category_of_their_own():
    found = classify(title="李某诉某书店买卖合同纠纷案", folders=["案例", "消费购物"])
    assert found.category == "court_case"
