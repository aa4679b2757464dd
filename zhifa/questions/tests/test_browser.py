"""In Chromium: an instructor imports the Excel template, confirms it, tags a question and edits a published one."""

from __future__ import annotations

import pytest

from zhifa.common.browser import login
from zhifa.people.testing import PASSWORD
from zhifa.questions import spreadsheet
from zhifa.questions.models import Question
from zhifa.questions.seeding import knowledge_tree_seed


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_instructor_imports_tags_and_versions_questions(page, instructor, tmp_path):
    knowledge_tree_seed()
    page.set_viewport_size({"width": 1280, "height": 900})
    template = tmp_path / "试题.xlsx"
    template.write_bytes(spreadsheet.template_workbook())
    login(page, "expert", PASSWORD)

    page.goto(page.base_url + "/questions/import/")
    page.set_input_files("#id_file", str(template))
    page.check("#id_pending_citations")
    page.get_by_role("button", name="上传并检查").click()
    page.wait_for_load_state("networkidle")
    assert "新建 5" in page.inner_text("#batch")
    page.check("input[name=publish]")
    page.get_by_role("button", name="确认导入").click()
    page.wait_for_load_state("networkidle")
    assert "已导入" in page.inner_text("#batch")

    page.goto(page.base_url + "/questions/?kind=judge")
    judge = Question.objects.get(kind="judge")
    page.check(f"input[name=questions][value='{judge.pk}']")
    page.select_option("#id_add_points", label="　廉洁自律")
    page.get_by_role("button", name="应用").click()
    page.wait_for_load_state("networkidle")
    assert "已为 1 道试题更新标签" in page.inner_text(".messages")
    assert "廉洁自律" in page.inner_text("table.data")

    page.goto(page.base_url + f"/questions/{judge.pk}/edit/")
    page.fill("#id_answer", "错")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("networkidle")
    assert "已保存为第 2 版" in page.inner_text(".messages")
    assert Question.objects.get(kind="judge", is_latest=True).answer == [False]
