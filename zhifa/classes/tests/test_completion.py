"""class_completion: what plans read for a plan item of kind offline class."""

from zhifa.classes.queries import class_completion
from zhifa.classes.tests.factories import attend, enrol, make_class, make_session
from zhifa.people.testing import make_officer


def test_complete_only_when_every_required_session_of_his_group_was_attended(org, officer, outsider):
    klass = make_class(org.market)
    first, second = make_session(klass), make_session(klass, topic="证据规则", start_in_minutes=200)
    make_session(klass, topic="选修：沟通技巧", required=False)
    make_session(klass, topic="二组专场", group="二组")
    enrol(klass, officer, outsider, group="一组")
    attend(first, officer)
    attend(second, officer)
    attend(first, outsider)  # partial attendance: not complete
    assert class_completion(class_ids=[klass.pk], officer_ids=[officer.pk, outsider.pk]) == {
        (klass.pk, officer.pk): True,
        (klass.pk, outsider.pk): False,
    }


def test_checkout_required_sessions_need_the_checkout_and_unenrolled_officers_never_complete(org, officer):
    klass = make_class(org.market)
    session = make_session(klass, checkout_required=True)
    enrol(klass, officer)
    stranger = make_officer(org.market)
    attend(session, stranger, out=True)
    attendance = attend(session, officer)
    assert class_completion(class_ids=[klass.pk], officer_ids=[officer.pk, stranger.pk]) == {
        (klass.pk, officer.pk): False,
        (klass.pk, stranger.pk): False,
    }
    attendance.checked_out_at = attendance.checked_in_at
    attendance.save()
    assert class_completion(class_ids=[klass.pk], officer_ids=[officer.pk])[(klass.pk, officer.pk)] is True


def test_a_cancelled_class_is_never_complete(org, officer):
    klass = make_class(org.market, status="cancelled")
    session = make_session(klass)
    enrol(klass, officer)
    attend(session, officer)
    assert class_completion(class_ids=[klass.pk], officer_ids=[officer.pk]) == {(klass.pk, officer.pk): False}


def test_empty_inputs_make_no_query(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert class_completion(class_ids=[], officer_ids=[1]) == {}
