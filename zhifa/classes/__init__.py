"""Offline classes (培训班): sessions, enrolment, QR check-in, attendance, blended programmes, instructors."""
