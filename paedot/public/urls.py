from django.urls import path

from paedot.public import views
from paedot.referrals import paper_form_views

app_name = "public"

urlpatterns = [
    path("", views.service_page, name="service_page"),
    path("staff/service-details", views.edit_service_details, name="edit_service_details"),
    path("check-if-we-can-help/", views.check_start, name="check_start"),
    path("check-if-we-can-help/result", views.check_result, name="check_result"),
    path("check-if-we-can-help/make-a-referral", views.refer_from_check, name="refer_from_check"),
    path("check-if-we-can-help/<slug:slug>", views.check_question, name="check_question"),
    path("referral-form.pdf", paper_form_views.referral_form_pdf, name="referral_form_pdf"),
    path("referral-form.docx", paper_form_views.referral_form_docx, name="referral_form_docx"),
]
