"""The Jinja2 environment: our templates first, then the NHS design system's (nhsuk-frontend-jinja)."""

from __future__ import annotations

from typing import Any

from django.contrib.messages import get_messages
from django.middleware.csrf import get_token
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, PackageLoader

from paedot.alerts.presenters import alerts_for
from paedot.core import presenters
from paedot.nhsuk_forms import helpers as nhsuk_forms
from paedot.staff.rules import Action, may


def url(name: str, *args: Any, **kwargs: Any) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def csrf_input(request: Any) -> str:
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request))


def environment(**options: Any) -> Environment:
    loader = options.pop("loader")
    options["undefined"] = ChainableUndefined
    options.pop("autoescape", None)
    env = Environment(loader=ChoiceLoader([loader, PackageLoader("nhsuk_frontend_jinja")]), autoescape=True, **options)
    env.globals.update(
        {
            "static": static,
            "url": url,
            "csrf_field": csrf_input,
            "get_messages": get_messages,
            "now": timezone.now,
            "asset_path": "/static/nhsuk/assets",
            "nhsuk_widget_kind": nhsuk_forms.widget_kind,
            "nhsuk_field_items": nhsuk_forms.field_items,
            "nhsuk_error_summary_items": nhsuk_forms.error_summary_items,
            "nhsuk_date_items": nhsuk_forms.date_items,
            # Pages ask the one permission table what to show, as the views and API enforce it.
            "may": may,
            "Action": Action,
            "alerts_for": alerts_for,  # the child banner's line of alerts in force (paedot/alerts), one query
        }
    )
    env.filters.update(
        {
            "nhs_number": presenters.format_nhs_number,
            "uk_date": presenters.format_date,
            "uk_datetime": presenters.format_datetime,
            "age": presenters.age_today,
        }
    )
    return env
