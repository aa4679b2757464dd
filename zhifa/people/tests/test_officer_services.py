import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zhifa.common.models import AuditEvent
from zhifa.people import services
from zhifa.people.models import Officer, Role, RoleGrant
from zhifa.people.tests.sheets import valid_id

ID = "11010519491231002X"


def _create(by, unit, **kw):
    data = {"name": "刘洋", "certificate_number": "JB77770001", "id_card": ID, "phone": "13812345678"}
    data.update(kw)
    return services.officer_create(by=by, unit=unit, **data)


def test_personal_data_is_stored_encrypted_indexed_and_masked(unit_admin, org):
    officer = _create(unit_admin, org.east_market)
    officer.refresh_from_db()
    assert ID not in officer.id_card_encrypted and "13812345678" not in officer.phone_encrypted
    assert officer.id_card_masked == "110105********002X" and officer.phone_masked == "138****5678"
    assert officer.id_card_index and officer.id_card_plain() == ID and officer.phone_plain() == "13812345678"
    assert officer.user.username == "JB77770001" and not officer.user.has_usable_password()


def test_creating_an_officer_is_audited_without_raw_personal_data(unit_admin, org):
    officer = _create(unit_admin, org.east_market)
    event = AuditEvent.objects.get(action="officer.create", object_id=str(officer.pk))
    assert event.actor == unit_admin
    assert ID not in str(event.new) and "13812345678" not in str(event.new)
    assert event.new["id_card"] == "110105********002X"


def test_a_unit_admin_cannot_create_an_officer_outside_his_subtree(unit_admin, org):
    with pytest.raises(PermissionDenied):
        _create(unit_admin, org.west_transport)
    assert not Officer.objects.filter(name="刘洋").exists()


@pytest.mark.parametrize(
    "kw, field",
    [
        ({"id_card": "110105194912310021"}, "id_card"),
        ({"phone": "12345"}, "phone"),
        ({"name": "  "}, "name"),
        ({"certificate_number": "JB00000001"}, "certificate_number"),  # the officer persona's
    ],
)
def test_bad_or_duplicate_data_is_refused_with_the_field(unit_admin, org, officer, kw, field):
    with pytest.raises(ValidationError) as exc:
        _create(unit_admin, org.east_market, **kw)
    assert field in exc.value.message_dict


def test_the_same_id_card_cannot_be_registered_twice(unit_admin, org):
    _create(unit_admin, org.east_market)
    with pytest.raises(ValidationError) as exc:
        _create(unit_admin, org.east_market, certificate_number="JB77770002", username="other")
    assert "已登记" in exc.value.message_dict["id_card"][0]


def test_an_update_audits_only_the_changed_fields_with_masked_values(unit_admin, org):
    officer = _create(unit_admin, org.east_market)
    new_id = valid_id(7)
    services.officer_update(officer=officer, by=unit_admin, changes={"position": "科长", "id_card": new_id})
    event = AuditEvent.objects.filter(action="officer.update").get()
    assert set(event.new) == {"position", "id_card"}
    assert event.old["id_card"] == "110105********002X" and new_id not in str(event.new)
    officer.refresh_from_db()
    assert officer.id_card_plain() == new_id and officer.position == "科长"


def test_an_update_without_changes_writes_no_event(unit_admin, officer):
    services.officer_update(officer=officer, by=unit_admin, changes={"position": officer.position})
    assert not AuditEvent.objects.filter(action="officer.update").exists()


def test_an_officer_cannot_be_transferred_out_of_the_admins_subtree(unit_admin, officer, org):
    with pytest.raises(PermissionDenied):
        services.officer_update(officer=officer, by=unit_admin, changes={"unit": org.west_transport})


def test_the_certificate_may_not_expire_before_it_was_issued(unit_admin, officer):
    from datetime import date

    changes = {"certificate_issued": date(2025, 1, 2), "certificate_expires": date(2025, 1, 1)}
    with pytest.raises(ValidationError) as exc:
        services.officer_update(officer=officer, by=unit_admin, changes=changes)
    assert "certificate_expires" in exc.value.message_dict


def test_unmasking_is_for_managers_only_and_audited(unit_admin, auditor, org):
    officer = _create(unit_admin, org.east_market)
    plain = services.officer_unmask(officer=officer, by=unit_admin, reason="核对证件")
    assert plain == {"id_card": ID, "phone": "13812345678"}
    event = AuditEvent.objects.get(action="officer.unmask")
    assert event.actor == unit_admin and event.reason == "核对证件" and ID not in str(event.new)
    with pytest.raises(PermissionDenied):
        services.officer_unmask(officer=officer, by=auditor)
    assert AuditEvent.objects.filter(action="officer.unmask").count() == 1


def test_a_temporary_password_meets_the_policy_and_forces_a_change(client, unit_admin, officer):
    from django.contrib.auth.password_validation import validate_password

    password = services.officer_password_reset(officer=officer, by=unit_admin)
    validate_password(password)
    response = client.post("/accounts/login/", {"username": "zhangming", "password": password})
    assert response.status_code == 302
    assert client.get("/").url == "/accounts/password/?expired=1"
    assert AuditEvent.objects.filter(action="password.reset", object_id=str(officer.user_id)).exists()


def test_a_system_admin_grant_opens_django_admin_and_its_revocation_closes_it(sysadmin, officer):
    user = officer.user
    grant = services.role_grant(user=user, role=Role.SYSTEM_ADMIN, by=sysadmin)
    user.refresh_from_db()
    assert user.is_staff and user.is_superuser
    services.role_revoke(grant=grant, by=sysadmin)
    user.refresh_from_db()
    assert not user.is_staff and not user.is_superuser
    assert [e.action for e in AuditEvent.objects.filter(object_id=str(user.pk)).order_by("id")] == [
        "role.grant",
        "role.revoke",
    ]


def test_other_grants_do_not_open_django_admin(sysadmin, officer, org):
    services.role_grant(user=officer.user, role=Role.UNIT_ADMIN, by=sysadmin, unit=org.east_market)
    officer.user.refresh_from_db()
    assert not officer.user.is_staff


def test_a_unit_admin_may_grant_unit_admin_only_inside_his_subtree(unit_admin, officer, outsider, org):
    services.role_grant(user=officer.user, role=Role.UNIT_ADMIN, by=unit_admin, unit=org.east_market)
    with pytest.raises(PermissionDenied):
        services.role_grant(user=outsider.user, role=Role.UNIT_ADMIN, by=unit_admin, unit=org.west_transport)
    with pytest.raises(PermissionDenied):
        services.role_grant(user=officer.user, role=Role.SYSTEM_ADMIN, by=unit_admin)
    assert RoleGrant.objects.filter(user=outsider.user).count() == 0


def test_a_unit_admin_grant_needs_a_unit(sysadmin, officer):
    with pytest.raises(ValidationError):
        services.role_grant(user=officer.user, role=Role.UNIT_ADMIN, by=sysadmin)


def test_moving_a_unit_moves_its_subtree(sysadmin, org, officer):
    services.unit_move(unit=org.east_market, parent=org.east_county, by=sysadmin)
    org.east_market.refresh_from_db()
    assert org.east_market.path.startswith(org.east_county.path)
    assert AuditEvent.objects.filter(action="unit.move").exists()


def test_a_unit_cannot_move_below_itself(sysadmin, org):
    with pytest.raises(ValidationError):
        services.unit_move(unit=org.market, parent=org.east_market, by=sysadmin)


def test_a_unit_admin_cannot_move_units_out_of_his_subtree(unit_admin, org):
    with pytest.raises(PermissionDenied):
        services.unit_move(unit=org.east_market, parent=org.west_county, by=unit_admin)
