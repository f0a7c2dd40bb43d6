import pytest
from django.core import mail

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": ["default"]}}
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def immediate_tasks(settings):
    """Tasks run as soon as they are queued (after the commit, for the acknowledgements): no worker needed to
    see what was sent."""
    settings.TASKS = IMMEDIATE
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return settings


@pytest.fixture
def database_tasks(settings):
    """The backend the service runs with: a queued task waits as a row until the worker picks it up."""
    settings.TASKS = DATABASE
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    return settings
