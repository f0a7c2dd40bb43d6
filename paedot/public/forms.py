from django import forms

from paedot.public.models import ServiceDetails
from paedot.public.services import EDITABLE_FIELDS


class ServiceDetailsForm(forms.ModelForm):
    class Meta:
        model = ServiceDetails
        fields = EDITABLE_FIELDS
        labels = {
            "name": "Service name",
            "organisation": "Organisation (optional)",
            "base_name": "Base",
            "address": "Address",
            "postcode": "Postcode",
            "phone": "Phone number",
            "email": "Email address (optional)",
            "opening_hours": "Opening hours",
        }
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}
