from django.urls import include, path

from paedot.config.api import api
from paedot.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("api/", api.urls),
    path("staff/", include("paedot.staff.urls")),
    path("staff/referrals/", include("paedot.referrals.urls")),
    path("refer/", include("paedot.referrals.online_urls")),
    path("", include("paedot.public.urls")),
]
