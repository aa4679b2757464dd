"""Who may open the law library's pages (see zhifa/common/access_matrix.py). A plain dict: the search engineer
appends the cases of /laws/search/ here."""

from zhifa.common.access_matrix import console, logged_in, only


def _sample_law(world) -> str:
    """The short title of the sample regulation with two versions (seeded once per matrix run)."""
    if "law" not in world.extra:
        from zhifa.laws.seeding import samples_seed

        samples_seed()
        world.extra["law"] = "江北市行政执法证件管理规定"
    return world.extra["law"]


def _import_job(world) -> int:
    if "job" not in world.extra:
        from django.core.files.base import ContentFile

        from zhifa.laws.models import ImportJob

        job = ImportJob.objects.create(name="sample.txt", upload=ContentFile(b"x", name="sample.txt"))
        world.extra["job"] = job.pk
    return world.extra["job"]


CASES = {
    "laws:law-list": logged_in(),
    "laws:law-detail": logged_in(kwargs=lambda w: {"short_title": _sample_law(w)}),
    "laws:law-diff": logged_in(kwargs=lambda w: {"short_title": _sample_law(w)}),
    "laws:article-detail": logged_in(kwargs=lambda w: {"short_title": _sample_law(w), "label": "第四条"}),
    "laws:manage-home": console(),
    "laws:stale-list": console(),
    "laws:citation-review": logged_in(405, anonymous=405, kwargs={"citation_id": 999999}),  # POST only
    "laws:import-page": only({"sysadmin": 200}),
    "laws:import-job-detail": only({"sysadmin": 200}, kwargs=lambda w: {"job_id": _import_job(w)}),
    "laws:date-pending-list": only({"sysadmin": 200}),
    "laws:version-date-confirm": logged_in(405, anonymous=405, kwargs={"version_id": 999999}),  # POST only
    # Search (zhifa/laws/search): every logged-in persona; the anonymous API caller gets 401 (counted as 302).
    "laws:laws_search:search": logged_in(query="?q=行政处罚&scope=all"),
    "api:laws-search": logged_in(query="?q=听证"),
}
