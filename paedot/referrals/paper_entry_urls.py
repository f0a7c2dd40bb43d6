from django.urls import path

from paedot.referrals import paper_entry

app_name = "paper_entry"

urlpatterns = [
    path("", paper_entry.start, name="start"),
    path("start-again", paper_entry.start_again, name="start_again"),
    path("check-your-answers", paper_entry.check_answers, name="check_answers"),
    path("scanned-form", paper_entry.attach_scan, name="attach_scan"),
    path("attachments/<int:attachment_id>", paper_entry.download_attachment, name="download_attachment"),
    path("<str:reference>/attach", paper_entry.attach_to_referral, name="attach_to_referral"),
    path("<slug:slug>", paper_entry.page, name="page"),
]
