"""Provincial single sign-on (统一身份认证): OpenID Connect and CAS back-ends that only ever match existing people.

Rules (issue 19, docs/security.md):
- An identity is matched to an existing account by the enforcement certificate number (执法证号) carried in a
  claim (OIDC: `ZHIFA_OIDC_MATCH_CLAIM`, default `certificate_number`; CAS: the user name, or the attribute named
  by `ZHIFA_CAS_MATCH_ATTRIBUTE`), or by the user name when the province's platform uses the same names
  (`ZHIFA_SSO_MATCH=username`).
- No account is ever created from a claim, and no claim ever grants or changes a role, staff or superuser flag:
  administrators are made in the console by another administrator, audited. An unknown person is refused.
- The second factor still applies: an administrator who logs in by SSO must still pass TOTP (middleware).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from zhifa.common.audit import audit_record
from zhifa.people.models import User

log = logging.getLogger(__name__)


def user_for_identity(value: str) -> User | None:
    """The active account the province's identity names (certificate number or user name); None when unknown."""
    value = (value or "").strip()
    if not value:
        return None
    if getattr(settings, "SSO_MATCH", "certificate") == "username":
        users = User.objects.filter(username=value, is_active=True)
    else:
        users = User.objects.filter(officer__certificate_number=value, is_active=True)
    found = list(users[:2])
    return found[0] if len(found) == 1 else None


class OfficerOIDCBackend(OIDCAuthenticationBackend):
    """OIDC (authorization code + PKCE, through mozilla-django-oidc): the ID token's signature, issuer, audience,
    expiry and nonce are checked by the library; the account is found by the mapped claim, never created."""

    def verify_claims(self, claims) -> bool:
        return bool(str(claims.get(settings.OIDC_MATCH_CLAIM, "")).strip())

    def filter_users_by_claims(self, claims):
        user = user_for_identity(str(claims.get(settings.OIDC_MATCH_CLAIM, "")))
        return User.objects.filter(pk=user.pk) if user else User.objects.none()

    def create_user(self, claims):
        log.warning("统一身份认证：身份未匹配到本平台账号，已拒绝登录")  # no claim values in the log
        return None

    def update_user(self, user, claims):
        audit_record(actor=user, action="security.sso-login", obj=user, new={"via": "oidc"})
        return user  # claims never change the account (no role, no staff flag from a claim)


class OfficerCASBackend(ModelBackend):
    """CAS 2.0/3.0 (service ticket validated by the CAS server, through django-cas-ng's client)."""

    def authenticate(self, request, ticket=None, service=None, **kwargs):
        if not ticket or not service:
            return None
        from django_cas_ng.utils import get_cas_client

        client = get_cas_client(service_url=service, request=request)
        name, attributes, _ = client.verify_ticket(ticket)
        if not name:
            return None
        attribute = getattr(settings, "CAS_MATCH_ATTRIBUTE", "")
        value = (attributes or {}).get(attribute) if attribute else name
        user = user_for_identity(str(value or ""))
        if user is None or not self.user_can_authenticate(user):
            log.warning("统一身份认证（CAS）：身份未匹配到本平台账号，已拒绝登录")
            return None
        audit_record(actor=user, action="security.sso-login", obj=user, new={"via": "cas"})
        return user


def _describe(self, claims) -> str:
    return "统一身份认证身份"  # never a claim value (names, numbers) in a log line


OfficerOIDCBackend.describe_user_by_claims = _describe  # type: ignore[method-assign]
