"""Offline classes (培训班): sessions, enrolment, QR check-in and attendance, blended programmes, the instructor registry, class evaluation."""
