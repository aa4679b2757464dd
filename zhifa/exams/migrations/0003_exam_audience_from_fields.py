"""One people.Audience per exam, selecting exactly what its audience_units/domains/roles/officers select today.

The old rules (named officers always; every set dimension of units with subtree, domains and roles must match; none
set: nobody) are the Audience's rules with the named officers as `include`, so the move changes nobody's admission.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    Exam = apps.get_model("exams", "Exam")
    Audience = apps.get_model("people", "Audience")
    for exam in Exam.objects.filter(audience__isnull=True).iterator():
        audience = Audience.objects.create(name=f"考试：{exam.title}"[:100], roles=list(exam.audience_roles or []))
        audience.units.set(exam.audience_units.all())
        audience.domains.set(exam.audience_domains.all())
        audience.include.set(exam.audience_officers.all())
        exam.audience = audience
        exam.save(update_fields=["audience"])


def backwards(apps, schema_editor):
    Exam = apps.get_model("exams", "Exam")
    for exam in Exam.objects.filter(audience__isnull=False).select_related("audience").iterator():
        exam.audience_roles = list(exam.audience.roles or [])
        exam.save(update_fields=["audience_roles"])
        exam.audience_units.set(exam.audience.units.all())
        exam.audience_domains.set(exam.audience.domains.all())
        exam.audience_officers.set(exam.audience.include.all())


class Migration(migrations.Migration):
    dependencies = [
        ("exams", "0002_exam_audience"),
        ("people", "0003_officer_joined_on_audience"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
