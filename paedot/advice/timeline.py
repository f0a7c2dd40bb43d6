"""Advice packs on the child's timeline (see paedot.care.timeline)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from paedot.advice.models import PackSheet
from paedot.care.timeline import TimelineEntry
from paedot.referrals.models import Referral


def _when(given_on: dt.date, created_at: dt.datetime) -> dt.datetime:
    """When the pack was recorded if that was the day it was given; a pack recorded later sits at midday on the day
    it was given, so the timeline keeps the order things happened in."""
    if timezone.localtime(created_at).date() == given_on:
        return created_at
    return dt.datetime.combine(given_on, dt.time(12, 0), tzinfo=timezone.get_current_timezone())


def entries_for(referral: Referral) -> list[TimelineEntry]:
    """One entry per advice pack given, naming its sheets. One query: the packs come with their sheets."""
    rows = (
        PackSheet.objects.filter(pack__referral=referral)
        .select_related("pack__given_by", "sheet_version")
        .order_by("pack__given_on", "pack_id", "position")
    )
    packs: dict[int, tuple] = {}
    for row in rows:
        packs.setdefault(row.pack_id, (row.pack, []))[1].append(row.sheet_version.title)
    return [
        TimelineEntry(
            when=_when(pack.given_on, pack.created_at),
            kind="advice",
            title="Advice pack given",
            detail=f"For {pack.recipients_label.lower()}: {', '.join(titles)}.",
            url=reverse("advice:show_pack", args=[pack.pk]),
            who=pack.given_by.display_name,
        )
        for pack, titles in packs.values()
    ]
