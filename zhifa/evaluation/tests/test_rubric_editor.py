"""The rubric editor: the assessment office edits the case-file review standard (案卷评查标准) in the console;
each save is a new version, and a file keeps the version it was scored with."""

import pytest
from django.urls import reverse

from zhifa.common.models import AuditEvent
from zhifa.evaluation import services
from zhifa.evaluation.models import CaseFile, Rubric
from zhifa.evaluation.tests.conftest import pdf_upload
from zhifa.people.models import Role
from zhifa.people.testing import grant, make_user


@pytest.fixture
def office(org):
    """省司法厅考核办: manages the province, whose period it is."""
    user = make_user("kaohe", display_name="考核办")
    grant(user, Role.UNIT_ADMIN, org.province)
    return user


def upload(period, org, officer, unit_admin, number):
    return services.case_file_upload(
        period=period,
        unit=org.east_market,
        number=number,
        title="销售过期食品案",
        officers=[officer],
        file=pdf_upload(),
        by=unit_admin,
    )


def form_data(content: dict, note: str = "依据省司法厅 2026 年评查标准修订") -> dict:
    """The editor's fields for a rubric, as the page fills them in."""
    data = {"note": note}
    for i, g in enumerate(content["groups"]):
        data |= {f"g{i}-key": g["key"], f"g{i}-label": g["label"], f"g{i}-part": g["part"], f"g{i}-points": g["points"]}
        for j, item in enumerate(g["items"]):
            data |= {f"g{i}-i{j}-{f}": item[f] for f in ("key", "label", "deduction")}
    for k, v in enumerate(content["vetoes"]):
        data |= {f"v{k}-key": v["key"], f"v{k}-label": v["label"]}
    return data


def edited(content: dict) -> dict:
    """卷面: 文书格式 −3 instead of −2, 装订 removed, 证据目录 added; a new veto."""
    data = form_data(content)
    data["g0-i0-deduction"] = "3"
    data["g0-i3-label"] = ""  # 卷宗装订顺序不规范: removed
    data |= {"g0-i4-key": "", "g0-i4-label": "证据目录缺失", "g0-i4-deduction": "1"}
    data |= {"v10-key": "", "v10-label": "未经法制审核"}
    return data


def test_the_office_edits_its_periods_rubric_and_a_scored_file_keeps_the_version_it_was_scored_with(
    client, period, org, officer, unit_admin, office
):
    scored = upload(period, org, officer, unit_admin, "东市监罚〔2026〕1号")
    waiting = upload(period, org, officer, unit_admin, "东市监罚〔2026〕2号")
    client.force_login(unit_admin)
    client.post(reverse("evaluation:casefile-detail", args=[scored.pk]), {"item_binding_disorder": "1"})
    template = services.rubric_default()

    client.force_login(office)
    url = reverse("evaluation:rubric-period", args=[period.pk])
    page = client.get(url).content.decode()
    assert "使用省级模板第 1 版" in page and "保存为新版本" in page
    response = client.post(url, edited(template.content), follow=True)
    page = response.content.decode()
    assert "已保存第 1 版评查标准，1 份尚未评查的案卷改用新版本" in page

    own = Rubric.objects.get(period=period, is_current=True)
    items = {i["key"]: i for g in own.content["groups"] for i in g["items"]}
    assert items["form_wrong"]["deduction"] == 3 and "binding_disorder" not in items
    assert any(i["label"] == "证据目录缺失" for i in items.values())
    assert own.content["vetoes"][-1]["label"] == "未经法制审核"
    scored.refresh_from_db()
    waiting.refresh_from_db()
    assert scored.rubric_id == template.pk and waiting.rubric_id == own.pk
    assert upload(period, org, officer, unit_admin, "东市监罚〔2026〕3号").rubric_id == own.pk
    assert AuditEvent.objects.filter(action="evaluation.rubric_save", reason__contains="2026 年评查标准").exists()

    # The second reviewer of the scored file still scores against the old version (its removed item included).
    second = make_user("liuyang", display_name="刘洋")
    grant(second, Role.UNIT_ADMIN, org.market)
    client.force_login(second)
    page = client.get(reverse("evaluation:casefile-detail", args=[scored.pk])).content.decode()
    assert "卷宗装订顺序不规范" in page and "未经法制审核" not in page
    client.post(reverse("evaluation:casefile-detail", args=[scored.pk]), {"item_binding_disorder": "1"})
    scored.refresh_from_db()
    assert scored.status == CaseFile.Status.FINAL and float(scored.final_score) == 99
    page = client.get(reverse("evaluation:casefile-detail", args=[waiting.pk])).content.decode()
    assert "证据目录缺失" in page and "未经法制审核" in page and "卷宗装订顺序不规范" not in page

    client.force_login(office)
    page = client.get(reverse("evaluation:rubric-detail", args=[template.pk])).content.decode()
    assert "已评定 1 份" in page


@pytest.mark.parametrize(
    "change, message",
    [
        ({"g1-points": "5"}, "各项目组分值合计为 95，须为 100"),
        ({"g2-i0-deduction": "很多"}, "项目组“事实与证据”的评分项“证据收集不全面”：每处扣分须为 0 至 100 之间的正数"),
        ({"g3-part": "其他"}, "项目组“法律适用与裁量”：类别须为“卷面”或“内容”"),
        ({"g4-label": ""}, "第 5 个项目组有评分项但没有名称"),
        ({"note": " "}, "请填写“修订说明”"),
    ],
)
def test_a_bad_rubric_is_refused_in_chinese_naming_the_row_and_nothing_is_saved(
    client, period, office, change, message
):
    client.force_login(office)
    before = Rubric.objects.count()
    data = form_data(services.rubric_default().content) | change
    if "note" not in change:
        data["g0-i0-deduction"] = "3"  # a real change, so only the bad field stands in the way
    response = client.post(reverse("evaluation:rubric-period", args=[period.pk]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "未保存，请修改" in page and message in page
    assert Rubric.objects.count() == before
    for value in change.values():  # what was typed stays in the form
        assert f'value="{value}"' in page or value.strip() == "" or "part" in str(change)


def test_an_unchanged_rubric_is_not_a_new_version(client, period, office):
    client.force_login(office)
    url = reverse("evaluation:rubric-period", args=[period.pk])
    response = client.post(url, form_data(services.rubric_default().content))
    assert "评查标准没有改动，未保存新版本" in response.content.decode()
    assert not Rubric.objects.filter(period=period).exists()


def test_a_unit_admin_below_the_period_reads_the_rubric_but_cannot_change_it(client, period, unit_admin):
    client.force_login(unit_admin)
    url = reverse("evaluation:rubric-period", args=[period.pk])
    page = client.get(url).content.decode()
    assert "文书格式错误或使用文书样式不当" in page and "保存为新版本" not in page
    response = client.post(url, edited(services.rubric_default().content))
    assert response.status_code == 400
    assert "您不能修改“2026 年度行政执法人员考核（江北省）”的案卷评查标准" in response.content.decode()
    assert not Rubric.objects.filter(period=period).exists()


def test_a_template_version_reaches_the_periods_without_their_own_rubric(
    client, period, org, officer, unit_admin, office, sysadmin
):
    other = services.period_create(unit=org.city, year=2026, by=sysadmin)
    client.force_login(office)
    client.post(reverse("evaluation:rubric-period", args=[period.pk]), edited(services.rubric_default().content))
    own = Rubric.objects.get(period=period)

    response = client.post(
        reverse("evaluation:rubric-template"),
        form_data(services.rubric_default().content) | {"g0-i1-deduction": "0.5", "note": "缺项每处扣 0.5 分"},
        follow=True,
    )
    assert "已保存第 2 版评查标准" in response.content.decode()
    template = services.rubric_default()
    assert template.version == 2 and Rubric.objects.filter(period=None).count() == 2
    assert upload(other, org, officer, unit_admin, "市-1").rubric_id == template.pk
    assert upload(period, org, officer, unit_admin, "省-1").rubric_id == own.pk

    page = client.get(reverse("evaluation:rubric-list")).content.decode()
    assert "省级模板（各考核年度默认使用）" in page and "使用省级模板第 2 版" in page


def test_only_the_top_units_office_edits_the_template(client, period, unit_admin):
    client.force_login(unit_admin)
    response = client.post(reverse("evaluation:rubric-template"), edited(services.rubric_default().content))
    assert "您不能修改省级模板的案卷评查标准" in response.content.decode()
    assert Rubric.objects.count() == 1
