"""Offline classes (培训班): sessions, enrolment, QR check-in, attendance, blended programmes, instructors."""

from django.apps import AppConfig


class ClassesConfig(AppConfig):
    name = "zhifa.classes"
    label = "classes"

    def ready(self) -> None:
        from zhifa.classes import conf

        # A bad ZHIFA_CHECKIN_* value fails at start-up, not at the first scan in a classroom.
        conf.checkin_step_seconds()
        conf.checkin_rate_per_minute()
