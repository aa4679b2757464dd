"""Names Django or a library calls from a string or by convention, which a static scan cannot see (read by
scripts/unreferenced.py, never imported). Each line says who calls it."""

# ruff: noqa
from zhifa.common import lookups, views
from zhifa.notices import senders
from zhifa.portal import context_processors
from zhifa.surveys import forms as survey_forms

context_processors.navigation  # settings.TEMPLATES' context_processors, by dotted path
views.server_error  # config/urls.py: handler500, by dotted path
senders.LoggingSender  # settings.NOTICES_SENDERS' default, by dotted path
survey_forms.SurveyForm.dimension_fields  # surveys/respond.html: {% for field in form.dimension_fields %}
lookups.InArray.as_postgresql  # Django's compiler: as_<vendor>() of a lookup, by the connection's vendor
