"""What the family is told about appointments: letters, calendar files and reminders. (Being built.)"""

from __future__ import annotations


def tell_family_about_booking(appointment) -> None:
    """Called inside the booking's transaction."""


def tell_family_about_block(series) -> None:
    """Called inside the block's transaction, once for the whole block."""
