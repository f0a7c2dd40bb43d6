"""The episode of care's pages: the clinical work (assessment, packages, goals, reviews) and the record around it
(timeline, equipment, consent to share, discharge, documents)."""

from paedot.care.urls_clinical import urlpatterns as clinical_urlpatterns
from paedot.care.urls_record import urlpatterns as record_urlpatterns

app_name = "care"

urlpatterns = [*clinical_urlpatterns, *record_urlpatterns]
