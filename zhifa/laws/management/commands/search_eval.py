"""manage.py search_eval --queries FILE.jsonl [--scope …] [--split test|train] [--no-prior] [--no-ranker] --json"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from zhifa.laws.search import artefact, learned, scopes
from zhifa.laws.search.backends import Filters
from zhifa.laws.search.evaluation import KS, PairsFileError, evaluate, read_pairs
from zhifa.laws.search.queries import ranked_keys


class Command(BaseCommand):
    help = "用问题—法条对评估法规检索的召回率（使用当前数据库的检索后端）"

    def add_arguments(self, parser):
        parser.add_argument(
            "--queries", required=True, help='JSON Lines：{"query": "…", "relevant": ["法规简称#第X条"]}'
        )
        parser.add_argument("--scope", default=scopes.NATIONAL, help="national（默认）、all 或 province:省份名")
        parser.add_argument("--split", choices=["train", "test"], help="只评估固定划分的一半（按问题的哈希）")
        parser.add_argument("--no-prior", action="store_true", help="不使用训练所得的先验")
        parser.add_argument("--prior", help="先验模型文件（默认 var/search/prior.npz）")
        parser.add_argument("--no-ranker", action="store_true", help="不使用排序模型（即原有的排序）")
        parser.add_argument("--ranker", help="排序模型的版本目录（默认当前版本）")
        parser.add_argument("--json", action="store_true", help="输出一行 JSON")

    def handle(self, *args, **options):
        try:
            regions = scopes.scope_regions(options["scope"])
            pairs = read_pairs(options["queries"], split=options["split"])
        except (OSError, PairsFileError, scopes.UnknownScope) as exc:
            raise CommandError(str(exc))
        filters = Filters(regions=regions)
        ranker = None if options["no_ranker"] else artefact.current(options["ranker"])
        if options["ranker"] and ranker is None:
            raise CommandError(f"无法读取排序模型 {options['ranker']}")
        prior = None if options["no_prior"] else learned.current_prior(options["prior"])
        seen = set(ranker.article_counts) if ranker else set(prior.articles) if prior else None
        result = evaluate(
            pairs, lambda q: ranked_keys(q=q, filters=filters, limit=max(KS), prior=prior, ranker=ranker), seen=seen
        )
        result["ranker"] = ranker.version if ranker else None
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            return
        for name, value in result.items():
            self.stdout.write(f"{name:>10}  {value}")
