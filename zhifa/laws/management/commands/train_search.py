"""manage.py train_search [--pairs FILE.jsonl ...] [--split train] [--no-citations] [--no-ranker]: train the search.

Builds the learned prior (var/search/prior.npz) and the re-ranker (a new version under var/search/ranker/, made
current), both from the same pairs: the platform's Citation rows and any pairs files; and the dense space of the
corpus (dense.py) that the re-ranker's version carries.
"""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhifa.laws.search import artefact, dense, learned, ranker_training, rerank, resolve, scopes
from zhifa.laws.search.backends import Filters, get_backend
from zhifa.laws.search.evaluation import PairsFileError, read_pairs
from zhifa.laws.search.training import citation_pairs


class Command(BaseCommand):
    help = "用问题—法条对（平台自身的引用及/或文件）训练检索模型（先验与排序模型），保存到 var/search/"

    def add_arguments(self, parser):
        parser.add_argument("--pairs", action="append", default=[], help="JSON Lines 问题—法条对文件，可重复")
        parser.add_argument("--split", choices=["train", "test"], help="只用文件中固定划分的一半（评估时用 train）")
        parser.add_argument("--no-citations", action="store_true", help="不使用平台试题、案例等的法条引用")
        parser.add_argument("--output", help="先验模型文件路径（默认 var/search/prior.npz）")
        parser.add_argument("--no-ranker", action="store_true", help="只训练先验，不训练排序模型")
        parser.add_argument(
            "--ranker-output", help="排序模型目录（默认 var/search/ranker，可用 ZHIFA_SEARCH_RANKER 设置）"
        )
        parser.add_argument("--rounds", type=int, default=300, help="排序模型的提升轮数（默认 300）")
        parser.add_argument("--folds", type=int, default=4, help="交叉拟合的折数（默认 4）")
        parser.add_argument("--limit-pairs", type=int, help="只用前 N 个问题（测试用的小训练）")
        parser.add_argument("--scope", default=scopes.NATIONAL, help="候选条文的范围（默认 national，与评估一致）")
        parser.add_argument(
            "--law-scan",
            type=int,
            help=f"候选中逐条扫描的预测法规数（默认 {rerank.Settings().scan_laws}；0 为不扫描，用于对照）",
        )
        parser.add_argument(
            "--dense-top",
            type=int,
            help=f"稠密空间中与问题最近、加入候选的条文数（默认 {rerank.Settings().dense_top}；0 为不建稠密空间）",
        )
        parser.add_argument("--dense-expand", type=float, help="问题向量按先验条文扩展的权重（默认 1.0）")
        parser.add_argument(
            "--dense-dims", type=int, default=dense.DIMENSIONS, help=f"稠密空间的维数（默认 {dense.DIMENSIONS}）"
        )
        parser.add_argument(
            "--dense-feedback",
            type=int,
            help=f"问题向量按词检索最前的几条条文扩展（伪相关反馈；默认 {rerank.Settings().dense_feedback}，0 为不用）",
        )
        parser.add_argument(
            "--dense-feedback-weight",
            type=float,
            help=f"伪相关反馈的权重（默认 {rerank.Settings().dense_feedback_weight}）",
        )

    def handle(self, *args, **options):
        pairs = []
        try:
            for path in options["pairs"]:
                pairs += read_pairs(path, split=options["split"])
            regions = scopes.scope_regions(options["scope"])
        except (OSError, PairsFileError, scopes.UnknownScope) as exc:
            raise CommandError(str(exc))
        from_citations = [] if options["no_citations"] else citation_pairs()
        every = [*pairs, *from_citations][: options["limit_pairs"]]
        try:
            prior = learned.train(learned.with_answers(every))
        except ValueError as exc:
            raise CommandError(str(exc))
        path = Path(options["output"]) if options["output"] else learned.artefact_path()
        prior.save(path)
        self.stdout.write(
            f"已用 {len(pairs)} 个文件中的问题、{len(from_citations)} 个平台引用训练检索模型："
            f"{len(prior.articles)} 条条文、{len(prior.laws)} 部法规，保存到 {path}"
        )
        if options["no_ranker"]:
            return
        negative = min(options["law_scan"] or 0, options["dense_top"] or 0, options["dense_feedback"] or 0) < 0
        if options["folds"] < 2 or options["rounds"] < 1 or negative:
            raise CommandError(
                "--folds 至少为 2，--rounds 至少为 1，--law-scan、--dense-top 与 --dense-feedback 不能为负数"
            )
        if options["dense_dims"] < 2:
            raise CommandError("--dense-dims 至少为 2")
        settings = rerank.Settings()
        for option, name in (
            ("law_scan", "scan_laws"),
            ("dense_top", "dense_top"),
            ("dense_expand", "dense_expand"),
            ("dense_feedback", "dense_feedback"),
            ("dense_feedback_weight", "dense_feedback_weight"),
        ):
            if options[option] is not None:
                settings = dataclasses.replace(settings, **{name: options[option]})
        space = self._dense_space(settings, options["dense_dims"])
        try:
            models, info = ranker_training.train(
                get_backend(),
                every,
                Filters(regions=regions),
                folds=options["folds"],
                rounds=options["rounds"],
                settings=settings,
                space=space,
                progress=lambda line: self.stdout.write("  " + line),
            )
        except ValueError as exc:  # the prior is saved; the search keeps the ranker it had (or none)
            self.stderr.write(f"排序模型未训练：{exc}")
            return
        info["scope"] = options["scope"]
        info["dense"] = {"articles": len(space.keys), "dimensions": int(space.matrix.shape[1])} if space else None
        base = Path(options["ranker_output"]) if options["ranker_output"] else None
        directory = artefact.save(models, info=info, base=base)
        self.stdout.write(
            f"排序模型 {directory.name}：{info['questions']} 个问题，候选召回 {info['pool_recall']:.3f}，"
            f"{info['rows']} 行特征，用时 {info['seconds']} 秒，保存到 {directory}（已设为当前版本）"
        )
        self.stdout.write("特征重要性（增益）：" + json.dumps(info["importance"], ensure_ascii=False))

    def _dense_space(self, settings: rerank.Settings, dimensions: int):
        """The dense space of the indexed corpus (None when the settings take no dense candidates)."""
        if not settings.dense_top:
            return None
        started = time.perf_counter()
        try:
            space = dense.build(resolve.article_texts(), dimensions=dimensions)
        except ValueError as exc:
            self.stderr.write(f"稠密检索空间未建立：{exc}")
            return None
        self.stdout.write(
            f"  稠密检索空间：{len(space.keys)} 条条文，{len(space.vocabulary)} 个词项，{space.matrix.shape[1]} 维，"
            f"用时 {time.perf_counter() - started:.0f} 秒"
        )
        return space
