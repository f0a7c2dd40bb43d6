"""Allocating a referral to a clinician, or transferring it with a reason; filtering the team's caseloads."""

from __future__ import annotations

from django import forms

from paedot.caseloads.services import caseloads
from paedot.referrals.models import Referral
from paedot.staff.models import Locality, Role, User

# Team leads first, then OTs, then assistants: who usually takes which children.
ROLE_ORDER = {Role.TEAM_LEAD: 0, Role.OT: 1, Role.OTA: 2}


def clinician_label(user: User, *, open_referrals: int | None = None, current: bool = False) -> str:
    """Name, role and localities; an assistant's supervising OT, since the OT holds clinical responsibility."""
    role = user.get_role_display()
    if user.role == Role.OTA and user.supervisor is not None:
        role = f"{role} supervised by {user.supervisor.display_name}"
    details = [role, ", ".join(user.localities or []) or "no locality set"]
    if open_referrals is not None:
        details.append(f"{open_referrals} open")
    if current:
        details.append("allocated now")
    return f"{user.display_name} ({'; '.join(details)})"


def clinician_options() -> list[User]:
    """Team leads, then OTs, then assistants, each by name."""
    return sorted(
        User.objects.clinicians().select_related("supervisor"),
        key=lambda u: (ROLE_ORDER.get(u.role, 9), u.last_name.lower(), u.first_name.lower(), u.username),
    )


class ClinicianField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return clinician_label(obj)


class AllocationForm(forms.Form):
    clinician = ClinicianField(
        label="Clinician",
        queryset=User.objects.none(),
        empty_label="Choose a clinician",
        error_messages={
            "required": "Choose a clinician",
            "invalid_choice": "Choose a clinician from the list",
        },
    )
    reason = forms.CharField(label="Reason", required=False, max_length=4000, widget=forms.Textarea)

    def __init__(self, *args, referral: Referral, **kwargs):
        super().__init__(*args, **kwargs)
        self.referral = referral
        clinician = self.fields["clinician"]
        clinician.queryset = User.objects.clinicians().select_related("supervisor")
        # The options in a useful order, with how many open referrals each holds (three queries however many
        # clinicians); the field's own queryset still validates the choice.
        people = clinician_options()
        totals = {load.clinician.pk: load.total for load in caseloads(people)}
        clinician.choices = [
            ("", clinician.empty_label),
            *(
                (p.pk, clinician_label(p, open_referrals=totals[p.pk], current=p.pk == referral.clinician_id))
                for p in people
            ),
        ]
        if referral.clinician_id:
            self.fields["reason"].label = "Reason for the transfer"
            self.fields["reason"].help_text = (
                f"Currently allocated to {referral.clinician.display_name}. Say why the child is moving: it is kept "
                "with the referral."
            )
        else:
            self.fields["reason"].label = "Notes (optional)"
            self.fields["reason"].help_text = "For example, why this clinician."

    def clean(self):
        cleaned = super().clean()
        cleaned["reason"] = (cleaned.get("reason") or "").strip()
        if self.referral.clinician_id and not cleaned["reason"]:
            self.add_error("reason", "Say why the child is moving to another clinician's caseload")
        return cleaned


class LocalityFilterForm(forms.Form):
    locality = forms.ChoiceField(label="Locality", required=False, choices=[("", "All localities"), *Locality.choices])
