"""Fail when a function, method or class is referenced nowhere: code nothing calls is deleted, not kept "in case".

Runs vulture over zhifa/ and config/ (tests included: a helper only a test calls is still used) and reports only
functions, methods and classes; unused variables and attributes are left to ruff and review (model fields, schema
fields and settings read by name are "unused" to a static scan). Django and pytest call some code by name or from a
string (a middleware in settings, a `clean_<field>` method, a router's endpoint): those are named below or in
scripts/vulture_whitelist.py, each with its reason. `make lint` runs this script.
"""

from __future__ import annotations

import sys
from pathlib import Path

from vulture import Vulture

ROOT = Path(__file__).resolve().parent.parent
KINDS = {"function", "method", "class"}
# Called by Django, django-ninja, django-tasks, pytest or mozilla-django-oidc by name, never by our code.
IGNORE_NAMES = [
    "Meta",
    "Command",
    "Migration",
    "*Config",
    "*Admin",
    "*Inline",
    "*Middleware",
    "*Backend",
    "*Validator",
    "*Storage",
    "*Provider",
    "*Router",
    "add_arguments",
    "handle",
    "clean",
    "clean_*",
    "has_*_permission",
    "get_help_text",
    "label_from_instance",
    "authenticate",
    "get_user",
    "verify_claims",
    "filter_users_by_claims",
    "update_user",
    "create_user",
    "password_changed",
    "allow_relation",
    "allow_migrate",
    "db_for_read",
    "db_for_write",
    "collect",
    "render_page",
    "pytest_*",
    "test_*",
    "setUp*",
    "tearDown*",
    "get_queryset",
    "formfield_for_*",
    "handle_starttag",  # html.parser.HTMLParser calls these by name
    "handle_endtag",
    "do_GET",
    "do_POST",
    "log_message",
    "save_model",
    "get_form",
    "get_urls",
    "ready",
    "as_view",
    "dispatch",
    "get_context_data",
]
IGNORE_DECORATORS = [
    "@router.*",
    "@api.*",
    "@register.*",
    "@receiver",
    "@admin.*",
    "@pytest.fixture",
    "@task",
    "@property",
    "@*.setter",
    "@hypothesis.*",
    "@given",
    "@login_required",
    "@page_for",
    "@require_*",
]


def main() -> int:
    vulture = Vulture(ignore_names=IGNORE_NAMES, ignore_decorators=IGNORE_DECORATORS)
    vulture.scavenge(
        [str(ROOT / "zhifa"), str(ROOT / "config"), str(ROOT / "scripts" / "vulture_whitelist.py")],
        exclude=["*/migrations/*"],
    )
    unused = [item for item in vulture.get_unused_code(min_confidence=60) if item.typ in KINDS]
    for item in unused:
        print(
            f"{Path(item.filename).relative_to(ROOT)}:{item.first_lineno}: {item.typ} {item.name} 无人调用：删除它，"
            "或（若由框架按名字调用）写进 scripts/vulture_whitelist.py 并注明原因"
        )
    return 1 if unused else 0


if __name__ == "__main__":
    sys.exit(main())
