"""Fill in deploy/nginx/zhifa-app.conf.

python deploy/render_nginx.py STATIC_ROOT MEDIA_ROOT > /etc/nginx/zhifa-app.conf
"""

from __future__ import annotations

import sys
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent / "nginx" / "zhifa-app.conf"


def render(*, static_root: str, media_root: str) -> str:
    """The app block with the two folders filled in; ValueError for a relative path (nginx needs absolute ones)."""
    for name, value in (("STATIC_ROOT", static_root), ("MEDIA_ROOT", media_root)):
        if not value.startswith("/"):
            raise ValueError(f"{name} 必须是绝对路径：{value!r}")
    text = TEMPLATE.read_text(encoding="utf-8")
    return text.replace("{{STATIC_ROOT}}", static_root.rstrip("/")).replace("{{MEDIA_ROOT}}", media_root.rstrip("/"))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("用法：python deploy/render_nginx.py STATIC_ROOT MEDIA_ROOT > /etc/nginx/zhifa-app.conf")
    sys.stdout.write(render(static_root=sys.argv[1], media_root=sys.argv[2]))
