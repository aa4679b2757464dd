"""Log in with a username or an enforcement certificate number (执法证号)."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from zhifa.common.rowget import row_get
from zhifa.people import access
from zhifa.people.models import User


class UsernameOrCertificateBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        login = username.strip()
        user = User.objects.filter(Q(username=login) | Q(officer__certificate_number=login)).first()
        if user is None:
            User().set_password(password)  # same work as a real check: do not reveal which logins exist by timing
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        # Called on every authenticated request: one SELECT with SQL built once (zhifa/common/rowget.py), which
        # also answers the second factor's question (access.holds_admin_role) for this request.
        user = row_get(User, pk=user_id, extra=access.USER_ROW_EXTRA)
        return user if user is not None and self.user_can_authenticate(user) else None
