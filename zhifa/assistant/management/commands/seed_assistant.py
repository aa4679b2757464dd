"""manage.py seed_assistant: the demo officer's first questions to the assistant (the sample questions of the page).

Idempotent: a question he already asked is not asked again. Prints the best article found for each, so the seed
log shows what the demo answers without a model endpoint.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from zhifa.assistant import services
from zhifa.assistant.models import Inquiry
from zhifa.assistant.views import SAMPLE_QUESTIONS
from zhifa.people.models import User

DEMO_OFFICER = "zhangming"


class Command(BaseCommand):
    help = "演示数据：演示执法人员向法律助手提出的示例问题"

    def handle(self, *args, **options):
        user = User.objects.filter(username=DEMO_OFFICER).first()
        if user is None:
            self.stdout.write(f"seed_assistant：没有演示账号 {DEMO_OFFICER}，请先运行 seed_demo")
            return
        asked = 0
        for text in SAMPLE_QUESTIONS[:3]:
            inquiry = Inquiry.objects.filter(user=user, text=text).first()
            if inquiry is None:
                inquiry = services.inquiry_ask(user=user, text=text)
                asked += 1
            best = inquiry.article_keys[0] if inquiry.article_keys else "（未找到条文）"
            self.stdout.write(f"  {text} → {best}")
        self.stdout.write(f"seed_assistant：新增 {asked} 个示例提问")
