from django.contrib.auth import views as auth_views

from paedot.staff.forms import SignInForm


class SignInView(auth_views.LoginView):
    template_name = "staff/sign_in.jinja"
    authentication_form = SignInForm
    redirect_authenticated_user = True
    extra_context = {"page_title": "Sign in"}


class SignOutView(auth_views.LogoutView):
    pass


def locked_out(request, credentials=None, *args, **kwargs):
    """What django-axes shows once an account has had too many failed sign-ins (429, our own page)."""
    from django.conf import settings
    from django.http import HttpResponse
    from django.template.loader import render_to_string

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    html = render_to_string(
        "staff/locked_out.jinja", {"page_title": "Your account is locked for now", "minutes": minutes}, request
    )
    return HttpResponse(html, status=429)
