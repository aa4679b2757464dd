"""manage.py train_search [--pairs FILE.jsonl ...] [--no-citations] [--split train]: build the learned prior."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhifa.laws.search import learned
from zhifa.laws.search.evaluation import PairsFileError, read_pairs
from zhifa.laws.search.training import citation_pairs


class Command(BaseCommand):
    help = "用问题—法条对（平台自身的引用及/或文件）训练检索模型，保存到 var/search/"

    def add_arguments(self, parser):
        parser.add_argument("--pairs", action="append", default=[], help="JSON Lines 问题—法条对文件，可重复")
        parser.add_argument("--split", choices=["train", "test"], help="只用文件中固定划分的一半（评估时用 train）")
        parser.add_argument("--no-citations", action="store_true", help="不使用平台试题、案例等的法条引用")
        parser.add_argument("--output", help="模型文件路径（默认 var/search/prior.npz）")

    def handle(self, *args, **options):
        pairs = []
        try:
            for path in options["pairs"]:
                pairs += read_pairs(path, split=options["split"])
        except (OSError, PairsFileError) as exc:
            raise CommandError(str(exc))
        from_citations = [] if options["no_citations"] else citation_pairs()
        try:
            prior = learned.train([*pairs, *from_citations])
        except ValueError as exc:
            raise CommandError(str(exc))
        path = Path(options["output"]) if options["output"] else learned.artefact_path()
        prior.save(path)
        self.stdout.write(
            f"已用 {len(pairs)} 个文件中的问题、{len(from_citations)} 个平台引用训练检索模型："
            f"{len(prior.articles)} 条条文、{len(prior.laws)} 部法规，保存到 {path}"
        )
