from django.urls import path

from paedot.staff import views

app_name = "staff"

urlpatterns = [
    path("sign-in", views.SignInView.as_view(), name="sign_in"),
    path("sign-out", views.SignOutView.as_view(), name="sign_out"),
]
