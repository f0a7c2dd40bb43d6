"""Changing a child's and family's details, under the referral they are changed from (/staff/referrals/<ref>/details/):
mounted beside the referrals' own pages, whose patterns are one segment after the reference."""

from django.urls import path

from paedot.children import views

app_name = "children"

urlpatterns = [
    path("<str:reference>/details/child", views.change_child_details_page, name="change_child_details"),
    path("<str:reference>/details/parent-carer", views.change_parent_carer_page, name="change_parent_carer"),
    path("<str:reference>/details/gp-practice", views.change_gp_practice_page, name="change_gp_practice"),
    path("<str:reference>/details/school", views.change_school_page, name="change_school"),
    path("<str:reference>/details/previous", views.previous_details, name="previous_details"),
]
