"""Shared machinery that renders documents (PDF and Word); it imports none of the service's apps."""
