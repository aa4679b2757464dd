"""The one decorator for pages that only some logged-in users may see."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404


def page_for(allowed: Callable[[Any], bool]) -> Callable:
    """Decorate a view: anonymous users go to the login page; a logged-in user for whom `allowed(user)` is false
    gets 404, so the page's existence is not revealed (DESIGN.md §3: reads are access-checked)."""

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not allowed(request.user):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
