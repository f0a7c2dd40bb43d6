"""The facts about the service that the public pages show, kept as data an administrator can change."""

from __future__ import annotations

from django.db import models

from paedot.core.models import BaseModel


class ServiceDetails(BaseModel):
    """One row: the service's name, base, phone and opening facts (edited on a staff page, not in templates)."""

    name = models.CharField(max_length=200, default="Paediatric Occupational Therapy Service")
    organisation = models.CharField(max_length=200, blank=True)
    base_name = models.CharField(max_length=200, default="Soho Health Centre")
    address = models.TextField(default="247-251 Soho Road\nBirmingham")
    postcode = models.CharField(max_length=10, default="B21 9RY")
    phone = models.CharField(max_length=30, default="0121 465 8551")
    email = models.EmailField(blank=True)
    opening_hours = models.CharField(max_length=200, default="Monday to Friday, 9am to 5pm, except bank holidays")

    class Meta:
        verbose_name_plural = "service details"

    def __str__(self) -> str:
        return self.name

    @classmethod
    def current(cls) -> ServiceDetails:
        """The saved details, or the defaults (the service page's) before anyone has saved any."""
        return cls.objects.order_by("pk").first() or cls()

    @property
    def address_lines(self) -> list[str]:
        return [line.strip() for line in self.address.splitlines() if line.strip()]

    @property
    def postal_lines(self) -> list[str]:
        """The address to post a referral to, a line each: the base, the street and town, the postcode."""
        return [line for line in (self.base_name.strip(), *self.address_lines, self.postcode.strip()) if line]

    @property
    def phone_href(self) -> str:
        return "tel:" + "".join(ch for ch in self.phone if ch.isdigit() or ch == "+")
