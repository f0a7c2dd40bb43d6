from django.urls import path

from paedot.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.show_dashboard, name="show_dashboard"),
    path("tables/<slug:name>.csv", views.download_table, name="download_table"),
    path("returns", views.show_returns, name="show_returns"),
    path("returns/sitrep.csv", views.download_sitrep, name="download_sitrep"),
    path("returns/csds-<slug:table>.csv", views.download_csds, name="download_csds"),
]
