"""The learner home's first load stays within 150 KB compressed (DESIGN.md §7): the page and what it references."""

import gzip
import re

from django.contrib.staticfiles import finders

BUDGET = 150 * 1024


def test_the_learner_home_loads_within_150_kb_compressed(client, officer):
    client.force_login(officer.user)
    html = client.get("/").content
    total = len(gzip.compress(html))
    assets = re.findall(rb'(?:src|href)="/static/([^"]+)"', html)
    assert assets, "the page references its stylesheet and scripts"
    for asset in assets:
        path = finders.find(asset.decode())
        assert path, f"missing static file {asset!r}"
        with open(path, "rb") as handle:
            total += len(gzip.compress(handle.read()))
    assert total <= BUDGET, f"首页首次加载 {total / 1024:.0f} KB（压缩后），超过 150 KB"
