import pytest
from paedot.triage.tests.factories import accepted_referral, waiting_referral
pytestmark = pytest.mark.django_db

def test_dump(client, admin_user, ot_user, ota_user, team_lead_user):
    r = accepted_referral(screened_by=admin_user, difficulties=("feeding",), description="Chokes.")
    client.force_login(ot_user)
    open("/tmp/triage_form.html","w").write(client.get(f"/staff/triage/{r.reference}").content.decode())
    open("/tmp/triage_err.html","w").write(client.post(f"/staff/triage/{r.reference}", {"priority":"soon"}).content.decode())
    open("/tmp/queue.html","w").write(client.get("/staff/triage/").content.decode())
    w = waiting_referral(screened_by=admin_user, triaged_by=ot_user)
    ota_user.localities=["North","East"]; ota_user.save()
    client.force_login(team_lead_user)
    open("/tmp/alloc.html","w").write(client.get(f"/staff/caseloads/allocate/{w.reference}").content.decode())
    resp = client.post(f"/staff/caseloads/allocate/{w.reference}", {"clinician": ota_user.pk})
    print(resp.status_code)
    open("/tmp/transfer.html","w").write(client.get(f"/staff/caseloads/allocate/{w.reference}").content.decode())
    open("/tmp/team.html","w").write(client.get("/staff/caseloads/").content.decode())
    open("/tmp/one.html","w").write(client.get(f"/staff/caseloads/{ota_user.username}").content.decode())
