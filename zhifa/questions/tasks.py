"""Background work of the bank: checking and importing uploaded files, so the page can be left and come back to."""

from __future__ import annotations

from django.tasks import task

from zhifa.questions import imports
from zhifa.questions.models import QuestionImport


def _fail(batch_id: int, exc: Exception) -> None:
    message = f"文件处理意外中止：{exc}；题库未作任何修改，请重新上传，仍有问题请联系系统管理员查看日志。"
    QuestionImport.objects.filter(pk=batch_id).update(
        status=QuestionImport.Status.FAILED, errors=[{"row": 0, "column": "", "message": message}]
    )


@task
def question_import_check_task(batch_id: int) -> None:
    """The dry run of an uploaded batch."""
    try:
        imports.question_import_check(batch=QuestionImport.objects.get(pk=batch_id))
    except Exception as exc:
        _fail(batch_id, exc)
        raise


@task
def question_import_run_task(batch_id: int) -> None:
    """The all-or-nothing import of a confirmed batch."""
    try:
        imports.question_import_commit(batch=QuestionImport.objects.get(pk=batch_id))
    except Exception as exc:
        _fail(batch_id, exc)
        raise
