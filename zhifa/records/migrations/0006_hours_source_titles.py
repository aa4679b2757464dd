"""Hours entries stored with an internal identifier as their title (`cases.scenario`, any `app.model`) get the human
title their source gives new entries today (issue 20 item 10): a drill's hours read 模拟执法演练《…》.

The title comes from the entry's own evidence line (`模拟执法演练《…》合格（记录 N）`, written with every credited
drill), else from the scenario its dedupe key names (`cases.scenario:<id>:hours:<officer>`), else the kind of source
alone. Reversing leaves the titles as they are (the old identifiers were a bug, not data).
"""

import re

from django.db import migrations

APP_MODEL = re.compile(r"^[a-z_]+\.[a-z_]+$")
# What each app credits hours for, as new entries name it (cases/services.py, exams/services.py, …).
NOUNS = {
    "cases": "模拟执法演练",
    "exams": "考试",
    "courses": "课程",
    "classes": "培训班",
    "plans": "培训计划",
    "practice": "练习",
    "questions": "练习",
    "records": "学时申报",
}
TITLE = re.compile(r"《([^《》]{1,150})》")
SCENARIO_KEY = re.compile(r"^cases\.scenario:(\d+):")


def human_source(*, source: str, evidence: str, titles: dict[int, str], dedupe_key: str = "") -> str:
    """The title an entry with an `app.model` source should have; the source unchanged when it is no such string."""
    if not APP_MODEL.match(source):
        return source
    app = source.split(".", 1)[0]
    noun = NOUNS.get(app, "培训")
    found = TITLE.search(evidence or "")
    if found:
        return f"{noun}《{found.group(1)}》"[:200]
    key = SCENARIO_KEY.match(dedupe_key or "")
    if key and int(key.group(1)) in titles:
        return f"{noun}《{titles[int(key.group(1))]}》"[:200]
    return noun


def _scenario_titles(apps) -> dict[int, str]:
    try:
        scenario = apps.get_model("cases", "Scenario")
    except LookupError:  # the cases app's tables are not part of this migration state: evidence lines suffice
        return {}
    return dict(scenario.objects.values_list("pk", "title"))


def forwards(apps, schema_editor) -> None:
    entry = apps.get_model("records", "HoursEntry")
    rows = [
        row
        for row in entry.objects.filter(source__regex=r"^[a-z_]+\.[a-z_]+$").only(
            "pk", "source", "evidence", "dedupe_key"
        )
    ]
    if not rows:
        return
    titles = _scenario_titles(apps)
    for row in rows:
        row.source = human_source(source=row.source, evidence=row.evidence, titles=titles, dedupe_key=row.dedupe_key)
    entry.objects.bulk_update(rows, ["source"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0005_hours_scheduled"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
