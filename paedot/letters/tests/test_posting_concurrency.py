"""Two admins posting overlapping batches at the same moment: the letters' locks record each letter once, by one of
them, with one audit event, and neither is refused."""

from __future__ import annotations

import threading

from paedot.core.models import AuditEvent
from paedot.letters.models import Letter
from paedot.letters.posting import POSTED, record_letters_posted
from paedot.letters.tests.factories import letter, person


def test_two_admins_posting_overlapping_batches_at_once_record_each_letter_once(committed_db):
    from django.db import connection

    shared, only_first, only_second = letter(), letter(), letter()
    admins = [person("clinical_admin", "admin-one"), person("clinical_admin", "admin-two")]
    batches = [[shared, only_first], [only_second, shared]]
    barrier = threading.Barrier(2)
    recorded: list[tuple[str, int, bool]] = []
    errors: list[BaseException] = []

    def post(admin, batch):
        try:
            barrier.wait(timeout=10)
            for done in record_letters_posted(letters=batch, posted_by=admin):
                recorded.append((admin.username, done.letter.pk, done.recorded))
        except BaseException as error:  # a failure in the thread is reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=pair) for pair in zip(admins, batches, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(pk for _, pk, was_recorded in recorded if was_recorded) == sorted(
        [shared.pk, only_first.pk, only_second.pk]
    )
    assert [was for _, pk, was in recorded if pk == shared.pk].count(True) == 1
    assert Letter.objects.filter(posted_at__isnull=True).count() == 0
    for each in (shared, only_first, only_second):
        assert AuditEvent.objects.filter(action=POSTED, object_id=str(each.pk)).count() == 1
