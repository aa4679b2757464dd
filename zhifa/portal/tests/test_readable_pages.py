"""What users read is Chinese and meaningful (issue 20 item 10): every page every persona may open (the access
matrix's world) is rendered and its visible text searched for internal identifiers — a model label such as
`cases.scenario`, an audit code such as `officer.update`, a Python repr (`{'key': …}`, `None`, `<Model: …>`) — and
for English words outside an allow-list. The audit log shows Chinese action names and readable details."""

from __future__ import annotations

import html
import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from zhifa.common.access_matrix import PERSONAS, World
from zhifa.common.audit import audit_record
from zhifa.common.tests.test_access_matrix import declared_cases
from zhifa.courses.models import Course
from zhifa.people.models import User

APP_LABELS = sorted({app.rsplit(".", 1)[-1] for app in settings.INSTALLED_APPS if app.startswith("zhifa.")})
APP_LABELS += ["auth", "password", "officer", "unit", "hours", "question", "course", "certificate", "role"]
INTERNAL = re.compile(rf"\b(?:{'|'.join(APP_LABELS)})\.[a-z][a-z_\-]+\b")
REPR = re.compile(r"\{'[a-z_]+': |\[\{'|<QuerySet|object at 0x|<[A-Z][A-Za-z]+: |\bNone\b|\bTrue\b|\bFalse\b")
ENGLISH = re.compile(r"\b[A-Za-z]{4,}\b")
# Words a Chinese user reads as they are: product and format names, standards, units.
ALLOWED_WORDS = {
    "Excel", "JSONL", "JSON", "HTML", "Word", "docx", "xlsx", "html", "http", "https", "HTTPS", "HTTP", "Chrome",
    "Cronbach", "Swagger", "TOTP", "OIDC", "OpenAI", "FSRS", "HiGHS", "WeChat", "xAPI", "English", "Android",
    "iPhone", "Safari", "Firefox", "Edge", "PIN", "MP4", "mp4", "webm", "poster", "SM3", "SM4", "example", "gov",
    "UTF", "GB18030", "data", "null", "WebM", "YAML",
}  # fmt: skip
SKIP_URLS = ("/api/", "/healthz", "/readyz", "/metrics", "/django-admin/")


def visible_text(page: str) -> str:
    """The text a reader sees as prose: no scripts, and no source shown as source (textarea, pre, code)."""
    page = re.sub(r"(?is)<(script|style|template|textarea|pre|code|kbd|samp)\b.*?</\1>", " ", page)
    page = re.sub(r"(?s)<!--.*?-->", " ", page)
    return html.unescape(re.sub(r"(?s)<[^>]+>", " ", page))


def problems(text: str, names: frozenset[str] = frozenset()) -> list[str]:
    """Internal identifiers and Python reprs anywhere; English words outside the allow-list, the user names in
    `names`, and tokens that are plainly a file name, a path, a command or a code with digits."""
    found = [f"内部标识 {m}" for m in INTERNAL.findall(text)]
    found += [f"Python 表示 {m}" for m in REPR.findall(text)]
    prose = " ".join(t for t in text.split() if not re.search(r"[/._:=@#\d\\]", t))
    found += [f"英文 {w}" for w in ENGLISH.findall(prose) if w not in ALLOWED_WORDS and w not in names]
    return sorted(set(found))


@pytest.mark.parametrize(
    "text, bad",
    [
        ("cases.scenario 8 学时", True),
        ("操作：officer.update", True),
        ("新值：{'name': '张三'}", True),
        ("状态：None", True),
        ("Select an option", True),
        ("模拟执法演练《现场检查》 8 学时", False),
        ("下载 Excel 模板（.xlsx）", False),
        ("《行政处罚法》第五条 KR-20 0.81", False),
    ],
)
def test_the_detector_finds_internal_identifiers(text, bad):
    assert bool(problems(text)) is bad


def test_the_audit_log_reads_in_chinese(client, auditor, officer):
    audit_record(actor=None, action="officer.update", obj=officer, old={"name": "张三"}, new={"name": "张三丰"})
    audit_record(actor=officer.user, action="auth.login", obj=officer.user, new={"via": "password"})
    audit_record(actor=None, action="plans.content_kept", obj=officer, new={"year": 2026, "passed": True})
    audit_record(actor=None, action="auth.login-failed", new={"username": "nobody"})
    source = f"evaluation:casefile:4:officer:{officer.pk}"  # a finding's source key: an internal reference
    audit_record(actor=None, action="certificates.finding_record", obj=officer, new={"year": 2026, "source": source})
    client.force_login(auditor)
    page = visible_text(client.get(reverse("console:audit-list")).content.decode())
    for words in ("修改执法人员信息", "姓名：张三丰", "登录", "方式：密码", "培训计划 · 内容 · 保留", "是否通过：是",
                  "登录失败", "用户名：nobody", "执法人员", f"来源：执法案卷 #4 · 执法人员 #{officer.pk}"):  # fmt: skip
        assert words in page, words
    assert problems(page.replace("nobody", "")) == []


@pytest.fixture
def world(org, officer, outsider, unit_admin, instructor, evaluator, auditor, sysadmin) -> World:
    return World(org, officer, outsider, unit_admin, instructor, evaluator, auditor, sysadmin)


def test_no_page_of_any_persona_shows_an_internal_identifier(world):
    found = []
    # What users named themselves is shown as they wrote it: log-in names, and the codes administrators give courses
    # (课程代码, e.g. ethics-2026), read after the walk's first pages have built the courses' world.
    names = frozenset(User.objects.values_list("username", flat=True))
    for name, case in sorted(declared_cases().items()):
        if case.method != "get" or "<unnamed" in name:
            continue
        url = reverse(name, kwargs=case.resolve_kwargs(world)) + case.query
        if url.startswith(SKIP_URLS):
            continue
        codes = {w for code in Course.objects.values_list("code", flat=True) for w in re.split(r"[-_]", code)}
        for persona in PERSONAS:
            if case.expect.get(persona) != 200:
                continue
            client = Client()
            if persona != "citizen":
                user = getattr(world, persona)
                client.force_login(getattr(user, "user", user))
            response = client.get(url)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            for problem in problems(visible_text(response.content.decode()), names | codes):
                found.append(f"{persona} {url}: {problem}")
    assert not found, "页面上出现了内部标识或未翻译的英文：\n" + "\n".join(found)
