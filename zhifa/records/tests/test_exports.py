"""The PDF transcript (Chinese text really rendered) and the xAPI 1.0.3 export."""

import json
import re
import shutil
import subprocess
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from zhifa.records import services
from zhifa.records.tests.factories import credit

NOW = datetime(2026, 7, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
VERB_IRIS = {"completed", "passed", "failed", "attended", "answered", "experienced"}


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW)


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils 未安装（apt-get install poppler-utils）")
def test_the_transcript_pdf_carries_the_chinese_names(client, officer, tmp_path):
    credit(officer, legal=30, ethics=4)
    client.force_login(officer.user)
    response = client.get(reverse("records:transcript"), {"year": 2026})
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    pdf = tmp_path / "transcript.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
    for words in ("张明", "东城区市场监督管理局", "法律知识", "职业道德", "测试课程", "学时证明"):
        assert words in text, words


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils 未安装（apt-get install poppler-utils）")
def test_the_transcript_renders_to_an_image_with_ink(client, officer, tmp_path):
    client.force_login(officer.user)
    pdf = tmp_path / "t.pdf"
    pdf.write_bytes(client.get(reverse("records:transcript")).content)
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True)
    png = next(tmp_path.glob("page*.png"))
    # A blank page compresses to a few hundred bytes; glyphs of the CID font make it much bigger.
    assert png.stat().st_size > 3000


def test_an_administrator_gets_the_transcript_of_an_officer_in_his_subtree(client, officer, unit_admin):
    client.force_login(unit_admin)
    response = client.get(reverse("records:officer-transcript", args=[officer.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def assert_valid_xapi_statement(statement, site):
    assert uuid.UUID(statement["id"])
    actor = statement["actor"]
    assert actor["objectType"] == "Agent" and set(actor["account"]) == {"homePage", "name"}
    assert actor["account"]["homePage"] == site and actor["account"]["name"]
    verb = statement["verb"]["id"]
    assert verb.startswith("http://adlnet.gov/expapi/verbs/") and verb.rsplit("/", 1)[1] in VERB_IRIS
    obj = statement["object"]
    assert obj["objectType"] == "Activity" and obj["id"].startswith(site + "/xapi/activities/")
    assert " " not in obj["id"]
    for key in ("timestamp", "stored"):
        assert ISO.match(statement[key]), statement[key]
    assert statement["version"] == "1.0.3"
    result = statement.get("result", {})
    assert set(result) <= {"score", "success", "completion", "response", "duration", "extensions"}
    if "score" in result:
        assert set(result["score"]) <= {"scaled", "raw", "min", "max"}
        assert -1 <= result["score"].get("scaled", 0) <= 1
    if "duration" in result:
        assert re.match(r"^P(T(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)$", result["duration"])
    context = statement["context"]
    assert set(context) <= {
        "registration",
        "instructor",
        "team",
        "contextActivities",
        "revision",
        "platform",
        "language",
        "statement",
        "extensions",
    }
    for block in (result, context):
        for key in block.get("extensions", {}):
            assert key.startswith(site + "/xapi/extensions/")


def test_the_xapi_export_is_valid_1_0_3(client, officer, settings):
    settings.SITE_URL = "https://academy.example.gov.cn"
    services.statement_record(
        officer=officer,
        verb="passed",
        object_type="exam",
        object_id="2026 年度考试/1",
        object_name="年度考试",
        result={
            "score": {"raw": 86, "min": 0, "max": 100, "scaled": 0.86},
            "success": True,
            "duration_seconds": 905,
            "attempt": 3,
        },
        context={"registration": str(uuid.uuid4()), "course_id": 7, "plan": "轮训"},
        dedupe_key="exam:1",
    )
    services.statement_record(
        officer=officer,
        verb="completed",
        object_type="lesson",
        object_id="12",
        object_name="依法履职",
        result={"completion": True, "score": 5, "duration": "PT15M"},
        dedupe_key="lesson:12",
    )
    services.statement_record(
        officer=officer,
        verb="answered",
        object_type="question",
        object_id="9",
        object_name="判断题",
        result={"score": {"scaled": 7}, "response": "true"},
        dedupe_key="q:9",
    )
    client.force_login(officer.user)
    response = client.get(reverse("records:xapi-export"))
    assert response["X-Experience-API-Version"] == "1.0.3"
    document = json.loads(response.content)
    assert document["more"] == "" and len(document["statements"]) == 3
    for statement in document["statements"]:
        assert_valid_xapi_statement(statement, "https://academy.example.gov.cn")
    exam = document["statements"][0]
    assert exam["verb"]["id"] == "http://adlnet.gov/expapi/verbs/passed"
    assert exam["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/assessment"
    assert exam["result"]["duration"] == "PT15M5S" and exam["result"]["success"] is True
    assert exam["result"]["extensions"] == {"https://academy.example.gov.cn/xapi/extensions/attempt": 3}
    assert exam["actor"] == {
        "objectType": "Agent",
        "name": "张明",
        "account": {"homePage": "https://academy.example.gov.cn", "name": "zhangming"},
    }
    # An out-of-range scaled score is not a valid xAPI score: kept, but as an extension.
    assert document["statements"][2]["result"] == {
        "response": "true",
        "extensions": {"https://academy.example.gov.cn/xapi/extensions/score": {"scaled": 7}},
    }


def test_nobody_exports_another_officers_statements_without_managing_him(client, officer, outsider, unit_admin):
    services.statement_record(
        officer=officer, verb="experienced", object_type="lesson", object_id="1", object_name="课", dedupe_key="x"
    )
    client.force_login(outsider.user)
    assert client.get(reverse("records:officer-xapi", args=[officer.pk])).status_code == 404
    client.force_login(unit_admin)
    document = client.get(reverse("records:officer-xapi", args=[officer.pk])).json()
    assert [s["object"]["definition"]["name"]["zh-CN"] for s in document["statements"]] == ["课"]


def test_a_plain_score_with_a_maximum_becomes_an_xapi_score():
    from zhifa.records.xapi import result_of

    assert result_of({"score": 86.0, "max": 100.0, "success": True}, "https://x") == {
        "score": {"raw": 86.0, "min": 0, "max": 100.0, "scaled": 0.86},
        "success": True,
    }
    assert result_of({"score": 120, "max": 100}, "https://x") == {
        "score": {"raw": 120},
        "extensions": {"https://x/xapi/extensions/max": 100},
    }
