from django.urls import path

from paedot.staff import views

app_name = "staff"

urlpatterns = [
    path("sign-in", views.SignInView.as_view(), name="sign_in"),
    path("sign-out", views.SignOutView.as_view(), name="sign_out"),
    path("two-factor/set-up", views.set_up_two_factor, name="set_up_two_factor"),
    path("two-factor/recovery-codes", views.show_recovery_codes, name="show_recovery_codes"),
    path("two-factor/verify", views.verify_two_factor, name="verify_two_factor"),
    path("two-factor/recovery-code-used", views.show_recovery_code_used, name="show_recovery_code_used"),
    path("two-factor/reset", views.find_colleague, name="find_colleague"),
    path("two-factor/reset/<str:username>", views.reset_two_factor_view, name="reset_two_factor"),
    path("security", views.show_security, name="show_security"),
    path("security/recovery-codes", views.make_recovery_codes, name="make_recovery_codes"),
    path("security/sign-out-everywhere", views.sign_out_everywhere_view, name="sign_out_everywhere"),
    path("security/tokens/<int:token_id>/revoke", views.revoke_token, name="revoke_token"),
    path("permissions", views.show_permissions, name="show_permissions"),
]
