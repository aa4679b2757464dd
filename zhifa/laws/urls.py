from importlib.util import find_spec

from django.urls import URLPattern, URLResolver, include, path

from zhifa.laws import views

app_name = "laws"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.law_list, name="law-list"),
    path("manage/", views.manage_home, name="manage-home"),
    path("manage/stale/", views.stale_list, name="stale-list"),
    path("manage/stale/<int:citation_id>/reviewed/", views.citation_review, name="citation-review"),
    path("manage/import/", views.import_page, name="import-page"),
    path("manage/import/<int:job_id>/", views.import_job_detail, name="import-job-detail"),
    path("manage/dates/", views.date_pending_list, name="date-pending-list"),
    path("manage/dates/<int:version_id>/", views.version_date_confirm, name="version-date-confirm"),
]
# The search engineer's pages (/laws/search/), once that package has its urls module.
if find_spec("zhifa.laws.search") is not None and find_spec("zhifa.laws.search.urls") is not None:
    urlpatterns.append(path("search/", include("zhifa.laws.search.urls")))
urlpatterns += [
    path("<str:short_title>/", views.law_detail, name="law-detail"),
    path("<str:short_title>/diff/", views.law_diff, name="law-diff"),
    path("<str:short_title>/<str:label>/", views.article_detail, name="article-detail"),
]
