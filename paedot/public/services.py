"""Changing the service's public details, with an audit record of what changed."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from paedot.core.audit import record_event
from paedot.public.models import ServiceDetails

EDITABLE_FIELDS = ("name", "organisation", "base_name", "address", "postcode", "phone", "email", "opening_hours")


@transaction.atomic
def update_service_details(*, changes: dict[str, Any], changed_by) -> ServiceDetails:
    details = ServiceDetails.objects.select_for_update().order_by("pk").first() or ServiceDetails()
    before = {field: getattr(details, field) for field in EDITABLE_FIELDS}
    for field, value in changes.items():
        if field not in EDITABLE_FIELDS:
            raise ValueError(f"{field} cannot be changed here.")
        setattr(details, field, value)
    details.full_clean()
    details.save()
    after = {field: getattr(details, field) for field in EDITABLE_FIELDS}
    record_event(
        action="service_details.updated",
        actor=changed_by,
        target=details,
        detail={
            "before": {k: v for k, v in before.items() if after[k] != v},
            "after": {k: v for k, v in after.items() if before[k] != v},
        },
    )
    return details
