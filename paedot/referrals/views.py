"""Staff pages for referrals: the inbox and a referral's page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from paedot.referrals import presenters
from paedot.referrals.models import Referral

PAGE_SIZE = 50


@login_required
def inbox(request):
    referrals = Referral.objects.visible_to(request.user).for_inbox()
    page = Paginator(referrals, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "referrals/inbox.jinja",
        {"page": page, "presenters": presenters, "page_title": "Referral inbox", "active_nav": "inbox"},
    )


@login_required
def show_referral(request, reference: str):
    referral = get_object_or_404(
        Referral.objects.visible_to(request.user).for_inbox().select_related("parent_carer"), reference=reference
    )
    return render(
        request,
        "referrals/show_referral.jinja",
        {
            "referral": referral,
            "presenters": presenters,
            "page_title": f"Referral {referral.reference}",
            "back_href": "/staff/referrals/",
            "active_nav": "inbox",
        },
    )
