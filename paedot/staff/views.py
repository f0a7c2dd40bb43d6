from django.contrib.auth import views as auth_views

from paedot.staff.forms import SignInForm


class SignInView(auth_views.LoginView):
    template_name = "staff/sign_in.jinja"
    authentication_form = SignInForm
    redirect_authenticated_user = True
    extra_context = {"page_title": "Sign in"}


class SignOutView(auth_views.LogoutView):
    pass
