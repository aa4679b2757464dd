"""The move onto people.Audience keeps who may sit each exam and who sees each course (migrations exams 0003,
courses 0004): the old fields' selection before equals the Audience's selection after, officer by officer."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("exams", "0002_exam_audience"), ("courses", "0003_course_audience")]
AFTER = [("exams", "0004_exam_audience_fields_removed"), ("courses", "0005_course_audience_fields_removed")]


def _old_exam_selects(exam, officer) -> bool:
    """The rule of the old exams.queries.officer_may_sit."""
    if officer.pk in {o.pk for o in exam.audience_officers.all()}:
        return True
    units, domains, roles = list(exam.audience_units.all()), list(exam.audience_domains.all()), exam.audience_roles
    if not (units or domains or roles):
        return False
    if units and not any(officer.unit.path.startswith(u.path) for u in units):
        return False
    if domains and not {d.pk for d in domains} & {d.pk for d in officer.domains.all()}:
        return False
    if roles and "officer" not in roles:
        return bool(set(officer.user.role_grants.values_list("role", flat=True)) & set(roles))
    return True


def _old_course_selects(course, officer) -> bool:
    units, domains = list(course.audience_units.all()), list(course.audience_domains.all())
    unit_ok = not units or any(officer.unit.path.startswith(u.path) for u in units)
    domain_ok = not domains or bool({d.pk for d in domains} & {d.pk for d in officer.domains.all()})
    return unit_ok and domain_ok


def _applied_leaves(executor: MigrationExecutor) -> list[tuple[str, str]]:
    """The newest applied migration of each app: where the test puts the database back (not the newest on disk,
    which may hold another app's migration its models do not know yet)."""
    applied = set(executor.loader.applied_migrations)
    graph = executor.loader.graph
    return [
        node
        for node in applied
        if not any(child.key in applied and child.key[0] == node[0] for child in graph.node_map[node].children)
    ]


@pytest.mark.django_db(transaction=True)
def test_every_exam_and_course_selects_the_same_officers_after_the_move():
    from zhifa.people.testing import build_org, grant, make_officer

    executor = MigrationExecutor(connection)
    restore = _applied_leaves(executor)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    org = build_org()
    people = [
        make_officer(org.east_market, name="张明", domains=[org.market_domain]),
        make_officer(org.west_transport, name="李强", domains=[org.transport_domain]),
        make_officer(org.market, name="王芳"),
        make_officer(org.justice, name="周律", domains=[org.market_domain]),
    ]
    grant(people[2].user, "unit_admin", org.market)
    Exam, Course = old.get_model("exams", "Exam"), old.get_model("courses", "Course")
    Unit, Domain, Officer = (old.get_model("people", m) for m in ("Unit", "Domain", "Officer"))
    market, city = Unit.objects.get(pk=org.market.pk), Unit.objects.get(pk=org.city.pk)
    market_domain = Domain.objects.get(pk=org.market_domain.pk)
    li = Officer.objects.get(name="李强")
    window = {"opens_at": "2026-01-01T08:00Z", "closes_at": "2026-01-02T08:00Z", "unit": market}
    specs = [
        ({}, [], [], []),
        ({"audience_roles": ["unit_admin"]}, [city], [], []),
        ({"audience_roles": ["officer"]}, [], [market_domain], []),
        ({}, [market], [market_domain], [li]),
        ({}, [], [], [li]),
    ]
    for n, (fields, units, domains, named) in enumerate(specs):
        exam = Exam.objects.create(title=f"考试{n}", **window, **fields)
        exam.audience_units.set(units)
        exam.audience_domains.set(domains)
        exam.audience_officers.set(named)
        course = Course.objects.create(code=f"c{n}", title=f"课程{n}")
        course.audience_units.set(units)
        course.audience_domains.set(domains)
    before_exams = {
        e.title: {o.name for o in Officer.objects.all() if _old_exam_selects(e, o)} for e in Exam.objects.all()
    }
    before_courses = {
        c.title: {o.name for o in Officer.objects.all() if _old_course_selects(c, o)} for c in Course.objects.all()
    }

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    executor = MigrationExecutor(connection)
    executor.migrate(restore)

    from zhifa.courses.models import Course as NewCourse
    from zhifa.exams.models import Exam as NewExam
    from zhifa.people.audiences import audience_officers
    from zhifa.people.models import Officer as NewOfficer

    after_exams = {e.title: {o.name for o in audience_officers(e.audience)} for e in NewExam.objects.all()}
    everyone = {o.name for o in NewOfficer.objects.all()}
    after_courses = {
        c.title: everyone if c.audience is None else {o.name for o in audience_officers(c.audience)}
        for c in NewCourse.objects.all()
    }
    assert after_exams == before_exams
    assert after_courses == before_courses
    assert before_exams["考试0"] == set() and before_courses["课程0"] == everyone  # none set: nobody / everyone
    assert before_exams["考试3"] == {"张明", "李强"}
