"""Write this checkout's local env file (default var/env, git-ignored) with generated keys, once.

`make demo` runs it; config/settings.py reads the file for every variable the environment does not set, so the
README's commands (`.venv/bin/python manage.py import_laws …`) work as written after `make demo`. An existing file
is kept as it is (its keys sign sessions and encrypt the demo's personal data). No Django here: it runs before
the settings can load.

Usage: python scripts/local_env.py [PATH]
"""

from __future__ import annotations

import hashlib
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The key the demo used before this file existed (config/settings.py's fallback under ZHIFA_DEBUG): a demo database
# seeded with it keeps its personal-data key, derived from it as zhifa/common/crypto_provider.py does.
OLD_DEVELOPMENT_KEY = b"insecure-development-key-do-not-use-in-production"


def field_key(database: Path) -> str:
    if database.exists():
        return hashlib.sha256(b"zhifa-field-key:" + OLD_DEVELOPMENT_KEY).hexdigest()
    return secrets.token_hex(32)


def main(argv: list[str]) -> int:
    path = Path(argv[1]) if len(argv) > 1 else ROOT / "var" / "env"
    if path.exists():
        return 0  # kept as it is: its keys sign sessions and encrypt the demo's personal data
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        "# 由 make demo 生成，仅供本机（已被 git 忽略）。生产环境请在服务的环境中设置，见 docs/configuration.md。",
        "# Written by `make demo` for this checkout only (git-ignored); production sets its variables itself.",
        f"ZHIFA_SECRET_KEY={secrets.token_urlsafe(50)}",
        f"ZHIFA_FIELD_ENCRYPTION_KEY={field_key(path.parent / 'zhifa.sqlite3')}",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    path.chmod(0o600)
    print(f"已生成本机环境文件（随机密钥）：{path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
