"""Draft cloze and true/false items from the current text of laws, for instructors to review."""

from django.core.management.base import BaseCommand, CommandError

from zhifa.laws.models import Provision
from zhifa.practice.services import generated_items_create


class Command(BaseCommand):
    help = "从现行法规条文自动生成填空题和判断题（待讲师审核后才会出现在练习中）。"

    def add_arguments(self, parser):
        parser.add_argument("laws", nargs="+", help="法规简称，例如 行政处罚法")
        parser.add_argument("--per-article", type=int, default=2)
        parser.add_argument("--publish", action="store_true", help="演示用：不经审核直接发布为仅练习题")

    def handle(self, *args, laws, per_article, publish=False, **options):
        total = 0
        for short_title in laws:
            articles = list(
                Provision.objects.filter(
                    version__law__short_title=short_title, version__is_current=True, kind=Provision.Kind.ARTICLE
                ).values_list("key", "text")
            )
            if not articles:
                raise CommandError(f"找不到法规“{short_title}”的现行条文，请先用 import_laws 导入，或检查简称。")
            created = generated_items_create(articles=articles, per_article=per_article, publish=publish)
            self.stdout.write(f"{short_title}：{len(articles)} 条，新生成 {created} 道待审核题。")
            total += created
        self.stdout.write(f"共生成 {total} 道，请讲师在“练习题审核”页面审核。")
