"""Two people undoing one merge at the same moment: the flag's lock lets one undo it and refuses the other."""

from __future__ import annotations

import threading

from paedot.children.models import Child
from paedot.core.models import AuditEvent
from paedot.referrals.services import TransitionRefused
from paedot.referrals.services.duplicates import unmerge_duplicate
from paedot.referrals.tests.factories import make_referral, staff
from paedot.referrals.tests.test_undo_merge import MIA, MYA, merged


def test_two_people_undoing_one_merge_at_once_undo_it_once(committed_db):
    """The flag is locked: the second waits, finds the merge undone, and is refused."""
    from django.db import connection

    first = make_referral(child=MIA)
    second = make_referral(child=MYA)
    flag = merged(second, first)
    leads = [staff("team_lead", "lead-one"), staff("team_lead", "lead-two")]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def undo(lead):
        try:
            barrier.wait(timeout=10)
            unmerge_duplicate(flag=flag, reason="Not the same child", undone_by=lead)
            outcomes.append("undone")
        except TransitionRefused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=undo, args=(lead,)) for lead in leads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["refused", "undone"]
    assert AuditEvent.objects.filter(action="referral.duplicate_merge_undone", object_id=str(second.pk)).count() == 1
    assert Child.objects.get(pk=second.child_id).merged_into_id is None
