"""Evaluation test set-up: files go to a temporary MEDIA_ROOT; a period of 江北省 in 2026 (time frozen in July)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhifa.evaluation import services

NOW = datetime(2026, 7, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def period(org, sysadmin, now):
    return services.period_create(unit=org.province, year=2026, by=sysadmin)


def pdf_upload(name: str = "案卷.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def leaf(period, code):
    return period.indicators.get(code=code)
