"""Background work of reports: exports too big to answer within a request."""

from __future__ import annotations

from django.tasks import task

from zhifa.reports import services
from zhifa.reports.models import ExportJob


@task
def report_export_run(job_id: int) -> int:
    """Write one queued drill-down export; returns its rows."""
    job = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.PENDING).select_related("unit").first()
    if job is None:
        return 0
    return services.export_job_run(job=job).done
