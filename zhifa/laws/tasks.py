"""Background work of the law library: the import of an uploaded file (a law, a .zip or a .tar.gz)."""

from __future__ import annotations

from django.db import transaction
from django.tasks import task

from zhifa.laws.importing import import_source, sources_from_upload
from zhifa.laws.models import ImportJob
from zhifa.laws.parser import ParseError


@task
def import_job_run(job_id: int, replace: bool = False) -> None:
    """Import every file of an upload, saving progress after each file so the page can show it."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    try:
        with job.upload.open("rb") as handle:
            sources = list(sources_from_upload(job.name, handle.read()))
    except ParseError as exc:
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.FAILED, error=str(exc))
        return
    ImportJob.objects.filter(pk=job.pk).update(total=len(sources))
    report = []
    try:
        for done, source in enumerate(sources, start=1):
            report.append(import_source(source, replace=replace, by=job.created_by))
            with transaction.atomic():
                ImportJob.objects.filter(pk=job.pk).update(done=done, report=report)
    except Exception as exc:
        # Files imported so far stay (each in its own transaction); the page must not spin forever.
        error = f"导入在第{len(report) + 1}个文件处意外中止：{exc}；已导入的文件保留，请联系系统管理员查看日志"
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.FAILED, error=error)
        raise
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.DONE)
