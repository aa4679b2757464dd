"""One people.Audience per course with audience_units or audience_domains, selecting exactly what they select today.

The old rule (units with their subtree, if any set, and domains, if any set, must both match; none set: everyone) is
the Audience's units and domains rules; a course with neither keeps no audience, which still means every officer.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    Course = apps.get_model("courses", "Course")
    Audience = apps.get_model("people", "Audience")
    for course in Course.objects.filter(audience__isnull=True).iterator():
        units, domains = list(course.audience_units.all()), list(course.audience_domains.all())
        if not (units or domains):
            continue
        audience = Audience.objects.create(name=f"课程：{course.title}"[:100])
        audience.units.set(units)
        audience.domains.set(domains)
        course.audience = audience
        course.save(update_fields=["audience"])


def backwards(apps, schema_editor):
    Course = apps.get_model("courses", "Course")
    for course in Course.objects.filter(audience__isnull=False).select_related("audience").iterator():
        course.audience_units.set(course.audience.units.all())
        course.audience_domains.set(course.audience.domains.all())


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0003_course_audience"),
        ("people", "0003_officer_joined_on_audience"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
