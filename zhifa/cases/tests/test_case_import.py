"""Importing cases (JSON Lines, the schema of ../shared/data/cases): all or nothing, articles cited when known."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from zhifa.cases import queries, services
from zhifa.cases.case_import import cases_read
from zhifa.cases.models import Case
from zhifa.cases.tests.conftest import laws_dir, laws_import

ROW = {
    "id": "c1",
    "title": "某消费纠纷案",
    "category": "消费购物",
    "case_type": "consumer",
    "sections": {"基本案情": "案情。", "裁判结果": "判决。", "典型意义": "意义。"},
    "text": "全文",
    "applied_articles": ["消费者权益保护法#第五十五条"],
    "source": "LawRefBook/Laws",
    "source_path": "案例/x.md",
    "source_commit": "2f4c5c23716267af",
}


def test_a_row_maps_sections_onto_the_case():
    rows, errors = cases_read(json.dumps(ROW, ensure_ascii=False))
    assert errors == []
    assert rows[0]["facts"] == "案情。" and rows[0]["outcome"] == "判决。" and rows[0]["analysis"] == "意义。"
    assert rows[0]["domain"] == "market" and rows[0]["source"] == "LawRefBook/Laws：案例/x.md（2f4c5c2371）"


@pytest.mark.parametrize(
    "line, message",
    [
        ("{not json", "第 2 行：不是有效的 JSON"),
        ('["a list"]', "第 2 行：每行应是一个 JSON 对象"),
        ('{"id": "x"}', "第 2 行：缺少标题 title"),
        ('{"title": "t", "applied_articles": ["无井号"]}', "第 2 行：applied_articles 应是"),
        ('{"title": "t", "kind": "funny"}', "第 2 行：kind“funny”无效"),
        ('{"title": "t", "kind": ["typical"]}', "第 2 行：kind“['typical']”无效"),
        ('{"title": "t", "facts": 12}', "第 2 行：facts 应是文字（现为 数字）"),
        ('{"title": "t", "sections": {"基本案情": ["a"]}}', "第 2 行：sections 中的“基本案情”应是文字（现为 列表）"),
        ('{"title": "t", "source_commit": 7}', "第 2 行：source_commit 应是文字"),
        (json.dumps(ROW, ensure_ascii=False), "第 2 行：与第 1 行重复"),
    ],
)
def test_bad_lines_are_reported_with_their_number(line, message):
    _, errors = cases_read(json.dumps(ROW, ensure_ascii=False) + "\n" + line)
    assert any(str(e).startswith(message) for e in errors), errors


def test_the_command_imports_nothing_when_a_line_is_bad(db, tmp_path):
    path = tmp_path / "cases.jsonl"
    path.write_text(json.dumps(ROW, ensure_ascii=False) + "\n{broken\n", encoding="utf-8")
    with pytest.raises(CommandError, match="第 2 行"):
        call_command("import_cases", str(path))
    assert Case.objects.count() == 0


def test_the_command_refuses_a_file_that_is_not_utf8(db, tmp_path):
    path = tmp_path / "cases.jsonl"
    path.write_bytes(json.dumps(ROW, ensure_ascii=False).encode("gbk"))
    with pytest.raises(CommandError, match="不是 UTF-8 编码"):
        call_command("import_cases", str(path))


def test_importing_twice_updates_instead_of_duplicating(db, tmp_path):
    path = tmp_path / "cases.jsonl"
    path.write_text(json.dumps(ROW, ensure_ascii=False), encoding="utf-8")
    call_command("import_cases", str(path), stdout=StringIO())
    call_command("import_cases", str(path), stdout=StringIO())
    case = Case.objects.get()
    assert case.pending_article_keys == ["消费者权益保护法#第五十五条"]  # no laws in this database yet


def test_the_case_pages_show_the_case_and_filter_by_kind(client, officer):
    services.case_upsert(
        data={
            "title": "收卡案",
            "kind": "warning",
            "facts": "收受购物卡",
            "discussion": ["怎么办？"],
            "article_keys": ["公职人员政务处分法#第三十四条"],
        }
    )
    services.case_upsert(data={"title": "某典型行政案", "facts": "案情", "article_keys": []})
    client.force_login(officer.user)
    listed = client.get(reverse("cases:case-list"), {"kind": "warning"}).content.decode()
    assert "收卡案" in listed and "某典型行政案" not in listed
    case = Case.objects.get(title="收卡案")
    detail = client.get(reverse("cases:case-detail", args=[case.pk])).content.decode()
    assert "违反的规定" in detail and "法规库暂无" in detail and "怎么办？" in detail


@pytest.mark.shared_data
def test_the_52_shared_cases_import_and_their_articles_resolve_once_the_laws_are_imported(
    db, tmp_path, client, officer
):
    source = Path(settings.SHARED_DATA_DIR) / "cases" / "cases.jsonl"
    if not source.exists():
        pytest.skip(f"{source} 不存在：跳过共享案例导入测试")
    out = StringIO()
    call_command("import_cases", str(source), stdout=out)
    assert Case.objects.count() == 52 and "导入 52 个案例" in out.getvalue()
    keys = {k for case in Case.objects.all() for k in case.article_keys}
    laws = {k.split("#")[0] for k in keys}
    files = {
        law: name for law in laws for name in (f"中华人民共和国{law}", law) if (laws_dir() / f"{name}.txt").exists()
    }
    laws_import(sorted(files.values()))
    services.case_cite_pending()
    known, unknown, pending = queries.articles_resolve(keys)
    assert unknown == set(), f"法规已导入但条文不存在：{sorted(unknown)}"
    assert {k.split("#")[0] for k in pending}.isdisjoint(files), "共享数据中有的法规，其条文都应解析"
    assert {k.split("#")[0] for k in known} == set(files)
    client.force_login(officer.user)
    key = "食品安全法#第一百四十八条"
    listed = client.get(reverse("cases:case-list"), {"article": key}).content.decode()
    expected = [c.title for c in Case.objects.all() if key in c.article_keys]
    assert expected and all(title[:20] in listed for title in expected)


def test_cases_browse_by_knowledge_point_including_sub_points(client, officer, tmp_path):
    from zhifa.questions.models import KnowledgePoint

    root = KnowledgePoint.objects.create(code="procedure", name="行政处罚程序")
    root.path = f"/{root.pk}/"
    root.save()
    child = KnowledgePoint.objects.create(code="hearing", name="听证", parent=root)
    child.path = f"{root.path}{child.pk}/"
    child.save()
    path = tmp_path / "cases.jsonl"
    rows = [
        {**ROW, "id": "a", "title": "听证案", "knowledge_points": ["hearing"]},
        {**ROW, "id": "b", "title": "无标签案"},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    call_command("import_cases", str(path), stdout=StringIO())
    client.force_login(officer.user)
    listed = client.get(reverse("cases:case-list"), {"point": "procedure"}).content.decode()
    assert "听证案" in listed and "无标签案" not in listed
    assert '<option value="hearing"' in listed


def test_an_unknown_knowledge_point_code_imports_nothing(db, tmp_path):
    path = tmp_path / "cases.jsonl"
    rows = [ROW, {**ROW, "id": "b", "title": "第二个", "knowledge_points": ["no-such-point"]}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    with pytest.raises(CommandError, match="第 2 行：知识点编码“no-such-point”不存在"):
        call_command("import_cases", str(path), stdout=StringIO())
    assert Case.objects.count() == 0
