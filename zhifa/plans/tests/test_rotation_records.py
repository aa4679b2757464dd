"""The certificates app reads the latest finished rotation of each officer."""

from datetime import date

from zhifa.plans.models import RotationRecord
from zhifa.plans.queries import rotation_last_completed


def test_the_latest_rotation_of_each_officer_is_read_in_one_call(officer, outsider):
    RotationRecord.objects.create(officer=officer, completed_on=date(2023, 5, 1), note="2023年第一期")
    RotationRecord.objects.create(officer=officer, completed_on=date(2025, 11, 20), note="2025年第三期")
    assert rotation_last_completed(officer_ids=[officer.pk, outsider.pk]) == {officer.pk: date(2025, 11, 20)}
